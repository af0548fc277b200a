// The vendor's reference flow, re-implemented from seed 003 (`checkAndCreateDoctor`), unchanged
// except that the API host is the sandbox's. The page then opens the app after the awaits, as the
// seed's flow implies ("verifica si el doctor existe antes de lanzar el popup/iframe").

/**
 * Verifica si un doctor existe en Speaknosis. Si no existe (404), lo crea automáticamente.
 * @param {string} token @param {object} doctorData @param {string} providerId @param {string} host
 */
async function checkAndCreateDoctor(token, doctorData, providerId, host) {
  const DOCTOR_API_HOST = host;
  const checkUrl = `${DOCTOR_API_HOST}/provider/${providerId}/user/${doctorData.id}`;
  const createUrl = `${DOCTOR_API_HOST}/provider/${providerId}/user`;
  try {
    // 1. VERIFICAR
    const checkResponse = await fetch(checkUrl, {
      method: 'GET',
      headers: { Authorization: `Bearer ${token}` },
    });
    if (checkResponse.ok) {
      console.log('✅ El doctor ya existe. Continuando...');
      return;
    }
    // 2. CREAR: si recibimos un 404
    if (checkResponse.status === 404) {
      console.log('⚠️ Doctor no encontrado. Creando automáticamente...');
      const createResponse = await fetch(createUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify([doctorData]),
      });
      if (!createResponse.ok) throw new Error(`Error creando doctor: ${createResponse.statusText}`);
      console.log('🎉 Doctor creado exitosamente.');
      return;
    }
    throw new Error(`Error inesperado al verificar: ${checkResponse.status}`);
  } catch (error) {
    console.error('Error en el flujo de verificación de doctor:', error);
    throw error;
  }
}

/** The doctor as the seed's example body has it. */
const doctorData = (id) => ({ id, name: 'Bench', lastname: 'Doctor', specialityId: 1, lang: 'ES' });

window.checkAndCreateDoctor = checkAndCreateDoctor;
window.referenceDoctor = doctorData;

const button = document.getElementById('open');
if (button) {
  const { api, token, provider, doctorId, url } = document.body.dataset;
  button.addEventListener('click', async () => {
    await checkAndCreateDoctor(token, doctorData(doctorId), provider, api);
    window.open(url, 'SpeaknosisPopUp', 'width=900,height=650');
  });
}
