import type { ErrorCode, Lang, ReadinessGap } from '../core/index.js';

export type UiKey =
  | 'open'
  | 'checking'
  | 'creating'
  | 'ready'
  | 'opened'
  | 'preparing'
  | 'frame'
  | 'signed-out'
  | 'not-ready'
  | ReadinessGap
  | ErrorCode;

/** Every string of the gate's UI, by key; `%s` is the vendor name (or, for `config`, the offending attributes). */
export type UiStrings = Record<UiKey, string>;

/** UI strings; `%s` is the vendor name (or, for `config`, the offending attributes). */
const STRINGS: Record<Lang, UiStrings> = {
  ES: {
    'not-ready': 'Falta: %s',
    active: 'cuenta activa',
    'specialty-verification': 'especialidad verificada',
    hospital: 'hospital',
    open: 'Abrir %s',
    checking: 'Comprobando la cuenta…',
    creating: 'Creando la cuenta…',
    ready: 'Cuenta lista',
    opened: '%s abierto',
    preparing: 'Preparando %s…',
    frame: 'Aplicación %s',
    config: 'Configuración no válida: %s',
    unauthorized: 'Credencial rechazada por %s',
    forbidden: 'Sin permiso en %s para este centro',
    conflict: 'El correo ya pertenece a otra cuenta de %s',
    'rate-limited': 'Demasiadas solicitudes a %s; inténtelo en un momento',
    server: '%s no responde correctamente',
    network: 'Sin conexión con %s',
    timeout: '%s tardó demasiado en responder',
    'bad-response': 'Respuesta inesperada de %s',
    'create-failed': '%s no pudo crear la cuenta',
    'popup-blocked': 'El navegador bloqueó la ventana; permita ventanas emergentes',
    cancelled: 'Creación cancelada',
    'signed-out': 'Sesión cerrada: vuelva a entrar',
  },
  EN: {
    'not-ready': 'Missing: %s',
    active: 'active account',
    'specialty-verification': 'verified specialty',
    hospital: 'hospital',
    open: 'Open %s',
    checking: 'Checking the account…',
    creating: 'Creating the account…',
    ready: 'Account ready',
    opened: '%s open',
    preparing: 'Preparing %s…',
    frame: '%s app',
    config: 'Invalid configuration: %s',
    unauthorized: '%s rejected the credential',
    forbidden: 'No permission at %s for this medical center',
    conflict: 'This email already belongs to another %s account',
    'rate-limited': 'Too many requests to %s; try again in a moment',
    server: '%s is not answering properly',
    network: 'Cannot reach %s',
    timeout: '%s took too long to answer',
    'bad-response': 'Unexpected answer from %s',
    'create-failed': '%s could not create the account',
    'popup-blocked': 'The browser blocked the window; allow pop-ups',
    cancelled: 'Creation cancelled',
    'signed-out': 'Signed out: sign in again',
  },
  CA: {
    'not-ready': 'Falta: %s',
    active: 'compte actiu',
    'specialty-verification': 'especialitat verificada',
    hospital: 'hospital',
    open: 'Obre %s',
    checking: 'Comprovant el compte…',
    creating: 'Creant el compte…',
    ready: 'Compte a punt',
    opened: '%s obert',
    preparing: 'Preparant %s…',
    frame: 'Aplicació %s',
    config: 'Configuració no vàlida: %s',
    unauthorized: '%s ha rebutjat la credencial',
    forbidden: 'Sense permís a %s per a aquest centre',
    conflict: 'El correu ja pertany a un altre compte de %s',
    'rate-limited': 'Massa sol·licituds a %s; torneu-ho a provar d’aquí a un moment',
    server: '%s no respon correctament',
    network: 'Sense connexió amb %s',
    timeout: '%s ha trigat massa a respondre',
    'bad-response': 'Resposta inesperada de %s',
    'create-failed': '%s no ha pogut crear el compte',
    'popup-blocked': 'El navegador ha bloquejat la finestra; permeteu finestres emergents',
    cancelled: 'Creació cancel·lada',
    'signed-out': 'Sessió tancada: torneu a entrar',
  },
  PT: {
    'not-ready': 'Falta: %s',
    active: 'conta ativa',
    'specialty-verification': 'especialidade verificada',
    hospital: 'hospital',
    open: 'Abrir %s',
    checking: 'A verificar a conta…',
    creating: 'A criar a conta…',
    ready: 'Conta pronta',
    opened: '%s aberto',
    preparing: 'A preparar %s…',
    frame: 'Aplicação %s',
    config: 'Configuração inválida: %s',
    unauthorized: '%s rejeitou a credencial',
    forbidden: 'Sem permissão em %s para este centro',
    conflict: 'O e-mail já pertence a outra conta de %s',
    'rate-limited': 'Demasiados pedidos a %s; tente novamente dentro de momentos',
    server: '%s não está a responder corretamente',
    network: 'Sem ligação a %s',
    timeout: '%s demorou demasiado a responder',
    'bad-response': 'Resposta inesperada de %s',
    'create-failed': '%s não conseguiu criar a conta',
    'popup-blocked': 'O navegador bloqueou a janela; permita janelas pop-up',
    cancelled: 'Criação cancelada',
    'signed-out': 'Sessão terminada: entre novamente',
  },
  FR: {
    'not-ready': 'Il manque : %s',
    active: 'compte actif',
    'specialty-verification': 'spécialité vérifiée',
    hospital: 'hôpital',
    open: 'Ouvrir %s',
    checking: 'Vérification du compte…',
    creating: 'Création du compte…',
    ready: 'Compte prêt',
    opened: '%s ouvert',
    preparing: 'Préparation de %s…',
    frame: 'Application %s',
    config: 'Configuration invalide : %s',
    unauthorized: '%s a refusé l’identifiant',
    forbidden: 'Pas d’autorisation sur %s pour ce centre',
    conflict: 'Cet e-mail appartient déjà à un autre compte %s',
    'rate-limited': 'Trop de requêtes vers %s ; réessayez dans un instant',
    server: '%s ne répond pas correctement',
    network: 'Impossible de joindre %s',
    timeout: '%s a mis trop de temps à répondre',
    'bad-response': 'Réponse inattendue de %s',
    'create-failed': '%s n’a pas pu créer le compte',
    'popup-blocked': 'Le navigateur a bloqué la fenêtre ; autorisez les fenêtres pop-up',
    cancelled: 'Création annulée',
    'signed-out': 'Session terminée : reconnectez-vous',
  },
};

/** What the page registered, by language (upper-case primary subtag: `es-MX` → `ES`). */
const registered = new Map<string, Partial<UiStrings>>();
const listeners = new Set<() => void>();

/**
 * Replaces or adds UI strings for a language, in the spirit of Shoelace's `registerTranslation`:
 * `registerStrings('es', { open: 'Entrar en %s' })`. Later calls merge over earlier ones; keys left
 * out keep the built-in text. Gates render the new strings on their next update.
 */
export function registerStrings(lang: Lang | (string & {}), strings: Partial<UiStrings>): void {
  for (const [key, text] of Object.entries(strings)) {
    if (typeof text !== 'string') throw new TypeError(`registerStrings: "${key}" must be a string`);
  }
  const primary = lang.split('-')[0]!.toUpperCase();
  registered.set(primary, { ...registered.get(primary), ...strings });
  for (const listener of listeners) listener();
}

/** Calls `listener` after each `registerStrings()`; returns the unsubscribe function (the `StringsController` re-renders its gate). */
export const onStringsChange = (listener: () => void): (() => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

export const translate = (lang: Lang, key: UiKey, value = ''): string =>
  (registered.get(lang)?.[key] ?? STRINGS[lang][key]).replace('%s', value);
