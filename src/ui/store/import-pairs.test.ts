import { describe, expect, it } from 'vitest';
import { useData } from './data-store';
import { importPairFile } from './import-pairs';

describe('importPairFile', () => {
  it('refuses a file over the size limit from File.size, without reading it', async () => {
    let read = false;
    const huge = {
      name: 'all-of-tatoeba.tsv',
      size: 2 * 2 ** 30,
      stream: () => {
        read = true;
        throw new Error('the file was read');
      },
    } as unknown as File;
    expect(await importPairFile(huge)).toBeNull();
    expect(read).toBe(false);
    expect(useData.getState().errors).toEqual([{ line: 0, message: 'the file has 2048 MiB, more than the 256 MiB a pair file may have' }]);
    expect(useData.getState().parsing).toBe(false);
  });

  it('reads a small one', async () => {
    const small = new File(['Hi.\tSalut.\n'], 'pairs.tsv');
    const r = await importPairFile(small);
    expect(r?.pairs).toEqual([{ src: 'Hi.', tgt: 'Salut.' }]);
    expect(useData.getState().pairs).toEqual([{ src: 'Hi.', tgt: 'Salut.' }]);
  });
});
