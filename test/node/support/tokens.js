// The CLI's medic-tokens file as a reader sees it: JSON Lines, one record per created medic; a line
// a killed run left half-written is not a record and is reported, never a reason to fail.
import { readFile } from 'node:fs/promises';

/**
 * @param {string} path
 * @returns {Promise<{ records: any[], unreadable: number[], text: string }>} `unreadable`: 1-based line numbers
 */
export async function readTokens(path) {
  const text = await readFile(path, 'utf8');
  const records = [];
  const unreadable = [];
  text.split('\n').forEach((line, index) => {
    if (!line.trim()) return;
    try {
      records.push(JSON.parse(line));
    } catch {
      unreadable.push(index + 1);
    }
  });
  return { records, unreadable, text };
}

/** The records only; [] when the file does not exist yet. */
export const tokenRecords = async (/** @type {string} */ path) =>
  (await readTokens(path).catch(() => ({ records: [] }))).records;
