// Export the current run to a file and import one (config, metrics, attention snapshots and the
// worker's checkpoint in one .aprun file); download the model alone as .safetensors (loadable by
// the CLI and by PyTorch through tools/parity/seq2seq.py) and load such a file.

import { useId, useRef, useState, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { checkpointSizeError, runFileSizeError } from '../../train/file-limits';
import { usePlayground } from '../app-context';
import { useStatus } from '../store/status-store';

export function RunFileButtons() {
  const { t } = useTranslation();
  const pg = usePlayground();
  const id = useId();
  const [busy, setBusy] = useState(false);
  const ready = useStatus((s) => s.phase === 'ready');
  const hasModel = useStatus((s) => s.model !== null);
  const notify = useStatus((s) => s.notify);

  const download = (bytes: Uint8Array, name: string) => {
    const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  const stamp = () => new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');

  /** Runs one file action with the buttons disabled; a failure becomes an error notice. */
  const act = async (work: () => Promise<void>, failKey: 'notice.exportFailed' | 'notice.importFailed') => {
    setBusy(true);
    try {
      await work();
    } catch (e) {
      notify({ kind: 'error', key: failKey, params: { message: (e as Error).message } });
    } finally {
      setBusy(false);
    }
  };

  /**
   * The change handler of a hidden file input: hands the chosen file's bytes to `use`, after
   * `sizeError` has passed its size (a file from someone else may be any size; reading it whole
   * could take the tab down).
   */
  const onFile = (use: (bytes: Uint8Array, name: string) => Promise<void>, sizeError: (bytes: number) => string | null) => async (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0];
    e.target.value = '';
    if (!f) return;
    await act(async () => {
      const refusal = sizeError(f.size);
      if (refusal) throw new Error(refusal);
      await use(new Uint8Array(await f.arrayBuffer()), f.name);
    }, 'notice.importFailed');
  };

  const exportRun = () => act(async () => download(await pg.exportRun(), `attention-playground-${stamp()}.aprun`), 'notice.exportFailed');
  const downloadWeights = () =>
    act(async () => download(await pg.checkpointFile(), `attention-playground-${stamp()}.safetensors`), 'notice.exportFailed');
  const importRun = onFile(async (bytes, file) => {
    await pg.importRun(bytes);
    notify({ kind: 'info', key: 'notice.imported', params: { file } });
  }, runFileSizeError);
  const loadWeights = onFile(async (bytes, file) => {
    const step = await pg.loadCheckpointFile(bytes);
    notify({ kind: 'info', key: 'notice.weightsLoaded', params: { file, step } });
  }, checkpointSizeError);

  return (
    <div className="run-file" role="group" aria-label={t('runFile.group')}>
      <button type="button" onClick={() => void exportRun()} disabled={!ready || busy}>
        {t('runFile.export')}
      </button>
      <FileOpenButton id={id} label={t('runFile.import')} inputLabel={t('runFile.importLabel')} accept=".aprun,application/octet-stream" disabled={!ready || busy} onChange={importRun} />
      <button type="button" onClick={() => void downloadWeights()} disabled={!ready || busy || !hasModel}>
        {t('runFile.downloadWeights')}
      </button>
      <FileOpenButton label={t('runFile.loadWeights')} inputLabel={t('runFile.weightsLabel')} accept=".safetensors,application/octet-stream" disabled={!ready || busy} onChange={loadWeights} />
    </div>
  );
}

/** A button that opens the file chooser of a hidden file input (labelled for assistive technology and tests). */
function FileOpenButton(props: {
  label: string;
  inputLabel: string;
  accept: string;
  disabled: boolean;
  onChange: (e: ChangeEvent<HTMLInputElement>) => void;
  id?: string;
}) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" onClick={() => input.current?.click()} disabled={props.disabled}>
        {props.label}
      </button>
      <input ref={input} id={props.id} className="sr-only" type="file" accept={props.accept} aria-label={props.inputLabel} tabIndex={-1} onChange={props.onChange} />
    </>
  );
}
