import { ERROR_CODES, type ErrorCode } from '../core/errors.js';
import type { Lang, ReadinessGap } from '../core/types.js';

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

/** The keys, in the order of each language's strings below: the UI's own, then every error code. */
const KEYS: readonly UiKey[] = [
  'open',
  'checking',
  'creating',
  'ready',
  'opened',
  'preparing',
  'frame',
  'not-ready',
  'active',
  'specialty-verification',
  'hospital',
  'signed-out',
  ...ERROR_CODES,
];

/** UI strings in the order of `KEYS` (lists, not records: the drop-in carries each key once); `%s` is the vendor name (or, for `config`, the offending attributes). */
const STRINGS: Record<Lang, readonly string[]> = {
  ES: [
    'Abrir %s',
    'Comprobando la cuenta…',
    'Creando la cuenta…',
    'Cuenta lista',
    '%s abierto',
    'Preparando %s…',
    'Aplicación %s',
    'Falta: %s',
    'cuenta activa',
    'especialidad verificada',
    'hospital',
    'Sesión cerrada: vuelva a entrar',
    'Configuración no válida: %s',
    'Credencial rechazada por %s',
    'Sin permiso en %s para este centro',
    'El correo ya pertenece a otra cuenta de %s',
    'Demasiadas solicitudes a %s; inténtelo en un momento',
    '%s no responde correctamente',
    'Sin conexión con %s',
    '%s tardó demasiado en responder',
    'Respuesta inesperada de %s',
    '%s no pudo crear la cuenta',
    'El navegador bloqueó la ventana; permita ventanas emergentes',
    'Creación cancelada',
  ],
  EN: [
    'Open %s',
    'Checking the account…',
    'Creating the account…',
    'Account ready',
    '%s open',
    'Preparing %s…',
    '%s app',
    'Missing: %s',
    'active account',
    'verified specialty',
    'hospital',
    'Signed out: sign in again',
    'Invalid configuration: %s',
    '%s rejected the credential',
    'No permission at %s for this medical center',
    'This email already belongs to another %s account',
    'Too many requests to %s; try again in a moment',
    '%s is not answering properly',
    'Cannot reach %s',
    '%s took too long to answer',
    'Unexpected answer from %s',
    '%s could not create the account',
    'The browser blocked the window; allow pop-ups',
    'Creation cancelled',
  ],
  CA: [
    'Obre %s',
    'Comprovant el compte…',
    'Creant el compte…',
    'Compte a punt',
    '%s obert',
    'Preparant %s…',
    'Aplicació %s',
    'Falta: %s',
    'compte actiu',
    'especialitat verificada',
    'hospital',
    'Sessió tancada: torneu a entrar',
    'Configuració no vàlida: %s',
    '%s ha rebutjat la credencial',
    'Sense permís a %s per a aquest centre',
    'El correu ja pertany a un altre compte de %s',
    'Massa sol·licituds a %s; torneu-ho a provar d’aquí a un moment',
    '%s no respon correctament',
    'Sense connexió amb %s',
    '%s ha trigat massa a respondre',
    'Resposta inesperada de %s',
    '%s no ha pogut crear el compte',
    'El navegador ha bloquejat la finestra; permeteu finestres emergents',
    'Creació cancel·lada',
  ],
  PT: [
    'Abrir %s',
    'A verificar a conta…',
    'A criar a conta…',
    'Conta pronta',
    '%s aberto',
    'A preparar %s…',
    'Aplicação %s',
    'Falta: %s',
    'conta ativa',
    'especialidade verificada',
    'hospital',
    'Sessão terminada: entre novamente',
    'Configuração inválida: %s',
    '%s rejeitou a credencial',
    'Sem permissão em %s para este centro',
    'O e-mail já pertence a outra conta de %s',
    'Demasiados pedidos a %s; tente novamente dentro de momentos',
    '%s não está a responder corretamente',
    'Sem ligação a %s',
    '%s demorou demasiado a responder',
    'Resposta inesperada de %s',
    '%s não conseguiu criar a conta',
    'O navegador bloqueou a janela; permita janelas pop-up',
    'Criação cancelada',
  ],
  FR: [
    'Ouvrir %s',
    'Vérification du compte…',
    'Création du compte…',
    'Compte prêt',
    '%s ouvert',
    'Préparation de %s…',
    'Application %s',
    'Il manque : %s',
    'compte actif',
    'spécialité vérifiée',
    'hôpital',
    'Session terminée : reconnectez-vous',
    'Configuration invalide : %s',
    '%s a refusé l’identifiant',
    'Pas d’autorisation sur %s pour ce centre',
    'Cet e-mail appartient déjà à un autre compte %s',
    'Trop de requêtes vers %s ; réessayez dans un instant',
    '%s ne répond pas correctement',
    'Impossible de joindre %s',
    '%s a mis trop de temps à répondre',
    'Réponse inattendue de %s',
    '%s n’a pas pu créer le compte',
    'Le navigateur a bloqué la fenêtre ; autorisez les fenêtres pop-up',
    'Création annulée',
  ],
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
  (registered.get(lang)?.[key] ?? STRINGS[lang][KEYS.indexOf(key)]!).replace('%s', value);
