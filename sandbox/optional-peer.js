// Loading an optional peer: `await optionalPeer(import(/* webpackIgnore: true */ 'name'))`. The
// `import()` stays at the call site, where bundlers read its comments.

/**
 * The module, or undefined when the package is not installed; any other failure (a broken
 * install) is thrown.
 * @template T
 * @param {Promise<T>} loading
 * @returns {Promise<T | undefined>}
 */
export const optionalPeer = (loading) =>
  loading.catch((error) => {
    if (error?.code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  });
