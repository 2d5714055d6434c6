// Export the current run to a file and import one (config, metrics, attention snapshots and the
// worker's checkpoint in one .aprun file); download the model alone as .safetensors (loadable by
// the CLI and by PyTorch through tools/parity/seq2seq.py) and load such a file.

import { useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePlayground } from '../app-context';
import { useStatus } from '../store/status-store';

export function RunFileButtons() {
  const { t } = useTranslation();
  const pg = usePlayground();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const ready = useStatus((s) => s.phase === 'ready');
  const notify = useStatus((s) => s.notify);

  const weightsInput = useRef<HTMLInputElement>(null);
  const trained = useStatus((s) => s.model !== null);

  const download = (bytes: Uint8Array, name: string) => {
    const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  const stamp = () => new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');

  const downloadWeights = async () => {
    setBusy(true);
    try {
      download(await pg.checkpointFile(), `attention-playground-${stamp()}.safetensors`);
    } catch (e) {
      notify({ kind: 'error', key: 'notice.exportFailed', params: { message: (e as Error).message } });
    } finally {
      setBusy(false);
    }
  };

  const exportRun = async () => {
    setBusy(true);
    try {
      download(await pg.exportRun(), `attention-playground-${stamp()}.aprun`);
    } catch (e) {
      notify({ kind: 'error', key: 'notice.exportFailed', params: { message: (e as Error).message } });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="run-file" role="group" aria-label={t('runFile.group')}>
      <button type="button" onClick={() => void exportRun()} disabled={!ready || busy}>
        {t('runFile.export')}
      </button>
      <button type="button" onClick={() => input.current?.click()} disabled={!ready || busy}>
        {t('runFile.import')}
      </button>
      <input
        ref={input}
        id={id}
        className="sr-only"
        type="file"
        accept=".aprun,application/octet-stream"
        aria-label={t('runFile.importLabel')}
        tabIndex={-1}
        onChange={async (e) => {
          const f = e.target.files?.[0];
          e.target.value = '';
          if (!f) return;
          setBusy(true);
          try {
            await pg.importRun(new Uint8Array(await f.arrayBuffer()));
            notify({ kind: 'info', key: 'notice.imported', params: { file: f.name } });
          } catch (err) {
            notify({ kind: 'error', key: 'notice.importFailed', params: { message: (err as Error).message } });
          } finally {
            setBusy(false);
          }
        }}
      />
      <button type="button" onClick={() => void downloadWeights()} disabled={!ready || busy || !trained}>
        {t('runFile.downloadWeights')}
      </button>
      <button type="button" onClick={() => weightsInput.current?.click()} disabled={!ready || busy}>
        {t('runFile.loadWeights')}
      </button>
      <input
        ref={weightsInput}
        className="sr-only"
        type="file"
        accept=".safetensors,application/octet-stream"
        aria-label={t('runFile.weightsLabel')}
        tabIndex={-1}
        onChange={async (e) => {
          const f = e.target.files?.[0];
          e.target.value = '';
          if (!f) return;
          setBusy(true);
          try {
            const step = await pg.loadCheckpointFile(new Uint8Array(await f.arrayBuffer()));
            notify({ kind: 'info', key: 'notice.weightsLoaded', params: { file: f.name, step } });
          } catch (err) {
            notify({ kind: 'error', key: 'notice.importFailed', params: { message: (err as Error).message } });
          } finally {
            setBusy(false);
          }
        }}
      />
    </div>
  );
}
