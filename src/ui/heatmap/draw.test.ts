// Heatmap labels at grid size: neighbouring labels are at least a font height apart (every n-th
// is drawn when the cells are small), on a recording stand-in for the 2D canvas context.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { drawHeatmap, labelStride, layoutHeatmap, type HeatmapColors } from './draw';

interface Text {
  text: string;
  x: number;
  y: number;
  rotated: boolean;
}

function recordingCanvas(texts: Text[]): HTMLCanvasElement {
  let tx = 0;
  let ty = 0;
  let rotated = false;
  const saved: [number, number, boolean][] = [];
  const ctx = {
    setTransform() {},
    fillRect() {},
    createPattern: () => null,
    beginPath() {},
    moveTo() {},
    lineTo() {},
    stroke() {},
    save: () => saved.push([tx, ty, rotated]),
    restore: () => ([tx, ty, rotated] = saved.pop()!),
    translate(x: number, y: number) {
      tx += x;
      ty += y;
    },
    rotate: () => (rotated = true),
    fillText: (text: string, x: number, y: number) => texts.push({ text, x: tx + x, y: ty + y, rotated }),
  };
  return { width: 0, height: 0, style: {}, getContext: () => ctx } as unknown as HTMLCanvasElement;
}

const colors: HeatmapColors = { text: '#000', zeroBg: '#fff', zeroHatch: '#888', background: '#fff' };

afterEach(() => vi.unstubAllGlobals());

describe('heatmap labels', () => {
  it('labelStride: all labels when the cells are tall enough, every n-th when not', () => {
    expect(labelStride(16, 9, true)).toBe(1);
    expect(labelStride(16, 9, false)).toBe(1);
    expect(labelStride(6, 9, false)).toBe(2);
    expect(labelStride(6, 9, true)).toBe(3);
  });

  it('a 24-token map at grid size: column and row labels never closer than the font size', () => {
    vi.stubGlobal('document', { createElement: () => recordingCanvas([]) });
    const tokens = Array.from({ length: 24 }, (_, i) => `tok${i}`);
    const m = { data: new Float32Array(24 * 24).fill(1 / 24), offset: 0, rows: 24, cols: 24 };
    const l = layoutHeatmap(m, tokens, tokens, { maxPlot: 150, minCell: 6, maxCell: 16, font: 9, labels: true });
    const texts: Text[] = [];
    drawHeatmap(recordingCanvas(texts), m, tokens, tokens, l, colors);
    const cols = texts.filter((t) => t.rotated);
    const rows = texts.filter((t) => !t.rotated);
    expect(cols.length).toBeGreaterThan(1);
    expect(rows.length).toBeGreaterThan(1);
    // Rotated by −60°: the distance between neighbouring baselines is Δx · sin 60°.
    for (let i = 1; i < cols.length; i++) expect((cols[i].x - cols[i - 1].x) * Math.sin(Math.PI / 3)).toBeGreaterThanOrEqual(9);
    for (let i = 1; i < rows.length; i++) expect(rows[i].y - rows[i - 1].y).toBeGreaterThanOrEqual(9);
    expect(cols[0].text).toBe('tok0');
  });
});
