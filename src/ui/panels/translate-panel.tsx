// Translate: a sentence in, the model's translation out (greedy or beam search), from the model
// being trained or the shipped pretrained one; unknown source words are marked, a BPE model's
// input and output are shown as the pieces it read and wrote, and the cross-attention alignment
// (labelled with those tokens or pieces) is drawn.

import { useId, useMemo, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { usePlayground } from '../app-context';
import { useStatus } from '../store/status-store';
import { effectiveModel, useTranslate } from '../store/translate-store';
import { hasPretrained } from '../../train/pretrained';
import { HeatmapCanvas } from '../heatmap/heatmap-canvas';
import { AttentionGrid } from '../heatmap/attention-grid';
import { isTaskName, TASKS } from '../../data/tasks';
import { FocusToken, FocusTokens } from './focus-token';
import type { MapSides } from '../store/token-focus';

const TRANSLATE_SIDES: MapSides = { context: 'translate', rows: 'tgt', cols: 'src' };

function Alignment() {
  const { t } = useTranslation();
  const r = useTranslate((s) => s.result);
  const matrix = useMemo(
    () => (r && r.outTokens.length > 0 && r.srcTokens.length > 0 && r.alignment.length >= r.outTokens.length * r.srcTokens.length
      ? { data: r.alignment, offset: 0, rows: r.outTokens.length, cols: r.srcTokens.length }
      : null),
    [r],
  );
  if (!r || !matrix) return null;
  return (
    <figure className="alignment">
      <figcaption>{t('translate.alignment')}</figcaption>
      <HeatmapCanvas matrix={matrix} rowLabels={r.outTokens} colLabels={r.srcTokens} size="large" label={t('translate.alignment')} sides={TRANSLATE_SIDES} />
    </figure>
  );
}

/**
 * A BPE piece as a chip: its leading ▁ (the space before a word, SentencePiece's U+2581) is drawn
 * as a muted marker, so "▁Je" reads as a word start and "ai" as the rest of a word.
 */
function Piece({ token }: { token: string }) {
  const { t } = useTranslation();
  const start = token.startsWith('\u2581');
  return (
    <span className="piece" data-testid="piece">
      {start && (
        <span className="piece-space" title={t('translate.wordStart')}>
          {'\u2581'}
        </span>
      )}
      {start ? token.slice(1) : token}
    </span>
  );
}

/** The pieces of one side of a BPE translation, each pointable like a word token. */
function Pieces({ side, tokens, unknown, label }: { side: 'src' | 'tgt'; tokens: readonly string[]; unknown?: readonly boolean[]; label: string }) {
  const { t } = useTranslation();
  return (
    <p className="source-tokens pieces" aria-label={label} data-testid={side === 'src' ? 'source-pieces' : 'output-pieces'}>
      {tokens.map((tok, i) => (
        <span key={i}>
          <FocusToken context="translate" side={side} index={i} className={unknown?.[i] ? 'unknown' : undefined} title={unknown?.[i] ? t('translate.unknownWord') : undefined}>
            <Piece token={tok} />
          </FocusToken>{' '}
        </span>
      ))}
    </p>
  );
}

function Result() {
  const { t } = useTranslation();
  const r = useTranslate((s) => s.result);
  const error = useTranslate((s) => s.error);
  if (error)
    return (
      <p className="field-error" role="alert">
        {error}
      </p>
    );
  if (!r) return null;
  const unknown = r.unknown.some(Boolean);
  if (r.subword)
    return (
      <div className="translation">
        <p className="muted">{t('translate.piecesNote')}</p>
        <Pieces side="src" tokens={r.srcTokens} unknown={r.unknown} label={t('translate.sourcePieces')} />
        {r.readAs !== undefined && <p className="muted" data-testid="read-as">{t('translate.readAs', { text: r.readAs })}</p>}
        <output className="translation-text" data-testid="translation" aria-live="polite">
          {r.text || t('translate.emptyOutput')}
        </output>
        <Pieces side="tgt" tokens={r.outTokens} label={t('translate.outputPieces')} />
      </div>
    );
  return (
    <div className="translation">
      <p className="source-tokens" aria-label={t('translate.sourceTokens')}>
        {r.srcTokens.map((tok, i) =>
          r.unknown[i] ? (
            <mark key={i} className="unknown">
              <FocusToken context="translate" side="src" index={i} title={t('translate.unknownWord')}>
                {tok}
              </FocusToken>
            </mark>
          ) : (
            <span key={i}>
              <FocusToken context="translate" side="src" index={i}>
                {tok}
              </FocusToken>{' '}
            </span>
          ),
        )}
      </p>
      {r.readAs !== undefined && <p className="muted" data-testid="read-as">{t('translate.readAs', { text: r.readAs })}</p>}
      {unknown && <p className="muted">{t('translate.unknownNote')}</p>}
      <output className="translation-text" data-testid="translation" aria-live="polite">
        {r.text || t('translate.emptyOutput')}
      </output>
      {r.outTokens.length > 1 && (
        <p className="source-tokens" aria-label={t('translate.outputTokens')}>
          <FocusTokens context="translate" side="tgt" tokens={r.outTokens} />
        </p>
      )}
    </div>
  );
}

/** Every cross-attention layer and head (the RNN's attention per output step) of the answer. */
function AllCrossMaps() {
  const { t } = useTranslation();
  const r = useTranslate((s) => s.result);
  const snapshot = useMemo(
    () => (r?.crossMaps && r.crossMaps.length > 0 ? { step: 0, probe: 0, srcTokens: r.srcTokens, tgtTokens: r.outTokens, maps: r.crossMaps } : null),
    [r],
  );
  if (!snapshot) return null;
  return (
    <details className="all-cross" data-testid="all-cross">
      <summary>{t('translate.allCross', { count: snapshot.maps.reduce((a, m) => a + m.heads, 0) })}</summary>
      <AttentionGrid snapshot={snapshot} context="translate" />
    </details>
  );
}

/** Beam search's K hypotheses, best first, with the two scores the search used. */
function Hypotheses() {
  const { t } = useTranslation();
  const hs = useTranslate((s) => s.result?.hypotheses);
  if (!hs || hs.length === 0) return null;
  return (
    <table className="hypotheses" data-testid="hypotheses">
      <caption>{t('translate.hypotheses', { count: hs.length })}</caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">{t('translate.hypothesis')}</th>
          <th scope="col" title={t('translate.logProbHint')}>log p</th>
          <th scope="col" title={t('translate.scoreHint')}>{t('translate.score')}</th>
        </tr>
      </thead>
      <tbody>
        {hs.map((h, i) => (
          <tr key={i} className={i === 0 ? 'best' : undefined}>
            <td>{i + 1}</td>
            <td>
              {h.text || t('translate.emptyOutput')}
              {!h.finished && <span className="muted"> {t('translate.unfinished')}</span>}
            </td>
            <td className="num">{h.logProb.toFixed(3)}</td>
            <td className="num">{h.score.toFixed(3)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Example sentences of the task (from the task registry) that fill the input. */
function TryExamples() {
  const { t } = useTranslation();
  const task = useStatus((s) => s.configured?.task);
  const set = useTranslate((s) => s.set);
  const examples = task && isTaskName(task) ? TASKS[task].examples : [];
  if (examples.length === 0) return null;
  return (
    <p className="try-examples">
      <span className="muted">{t('translate.try')}</span>
      {examples.map((e) => (
        <button key={e} type="button" className="chip" onClick={() => set({ text: e })}>
          {e}
        </button>
      ))}
    </p>
  );
}

export function TranslatePanel() {
  const { t } = useTranslation();
  const pg = usePlayground();
  const textId = useId();
  const beamId = useId();
  const modelId = useId();
  const text = useTranslate((s) => s.text);
  const beam = useTranslate((s) => s.beam);
  const task = useStatus((s) => s.configured?.task);
  const model = effectiveModel(useTranslate((s) => s.model), task);
  const step = useStatus((s) => s.step);
  const busy = useTranslate((s) => s.busy);
  const set = useTranslate((s) => s.set);
  const ready = useStatus((s) => s.phase === 'ready');
  const examples = useStatus((s) => s.model?.examples);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void pg.translate();
  };
  return (
    <section className="view" aria-labelledby="view-translate-title">
      <h2 id="view-translate-title">{t('translate.title')}</h2>
      <form className="translate-form" onSubmit={onSubmit}>
        <div className="field wide">
          <label htmlFor={textId}>{t('translate.input')}</label>
          <input
            id={textId}
            type="text"
            value={text}
            placeholder={examples?.[0]?.src ?? ''}
            onChange={(e) => set({ text: e.target.value })}
            autoComplete="off"
          />
        </div>
        <div className="field">
          <label htmlFor={beamId}>{t('translate.beam')}</label>
          <input id={beamId} aria-describedby={`${beamId}-hint`} type="number" min={1} max={16} step={1} value={beam} onChange={(e) => set({ beam: Math.max(1, Math.min(16, Math.round(Number(e.target.value) || 1))) })} />
        </div>
        <div className="field">
          <label htmlFor={modelId}>{t('translate.model')}</label>
          <select id={modelId} value={model} onChange={(e) => set({ model: e.target.value as 'current' | 'pretrained' })}>
            <option value="current">{step > 0 ? t('translate.currentAt', { step }) : t('translate.current')}</option>
            <option value="pretrained" disabled={!task || !hasPretrained(task)}>
              {!task || hasPretrained(task) ? t('translate.pretrained') : t('translate.noPretrained')}
            </option>
          </select>
        </div>
        <button type="submit" className="primary" disabled={!ready || busy || text.trim() === ''}>
          {busy ? t('translate.busy') : t('translate.go')}
        </button>
      </form>
      <TryExamples />
      <p id={`${beamId}-hint`} className="field-hint">
        {beam === 1 ? t('translate.greedy') : t('translate.beamHint', { beam })}
      </p>
      <Result />
      <Hypotheses />
      <Alignment />
      <AllCrossMaps />
    </section>
  );
}
