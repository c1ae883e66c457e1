/**
 * Open vs fixed findings over time as inline SVG: two lines told apart by colour AND dash pattern,
 * a text summary for screen readers (role="img" + <title>/<desc>), and the same data as a table.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { trendSummary, yScale, type TrendPoint } from '../logic.js';
import { TableWrap } from './ui.js';

export type { TrendPoint };

const PAD = { top: 16, right: 16, bottom: 32, left: 48 };

export function TrendChart({ points }: { points: TrendPoint[] }) {
  const id = useId();
  // The drawing follows its box's width in CSS pixels, so labels keep their size on a phone.
  const box = useRef<HTMLElement>(null);
  const [W, setW] = useState(640);
  useEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver((entries) => {
      const w = Math.round(entries[0]?.contentRect.width ?? 640);
      if (w > 0) setW(Math.max(280, w));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const H = W < 480 ? 200 : 240;
  const max = Math.max(0, ...points.map((p) => Math.max(p.open, p.fixed)));
  const { top, ticks } = yScale(max);
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (points.length <= 1 ? innerW / 2 : (i / (points.length - 1)) * innerW);
  const y = (v: number) => PAD.top + innerH - (v / top) * innerH;
  const line = (key: 'open' | 'fixed') =>
    points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
  const maxLabels = Math.max(2, Math.floor(innerW / 70));
  const labelEvery = Math.max(1, Math.ceil(points.length / maxLabels));
  return (
    <figure className="chart" ref={box}>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        preserveAspectRatio="xMidYMid meet"
      >
        <title id={`${id}-title`}>Open and fixed findings per day</title>
        <desc id={`${id}-desc`}>{trendSummary(points)}</desc>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} className="grid" />
            <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end" className="axis">
              {t}
            </text>
          </g>
        ))}
        {points.map((p, i) =>
          i % labelEvery === 0 || i === points.length - 1 ? (
            <text
              key={p.day}
              x={x(i)}
              y={H - 10}
              textAnchor={i === 0 ? 'start' : i === points.length - 1 ? 'end' : 'middle'}
              className="axis"
            >
              {p.day.slice(5)}
            </text>
          ) : null,
        )}
        <path d={line('open')} className="series-open" fill="none" />
        <path d={line('fixed')} className="series-fixed" fill="none" />
      </svg>
      <figcaption className="legend">
        <span className="key key-open" aria-hidden="true" /> Open
        <span className="key key-fixed" aria-hidden="true" /> Fixed (dashed)
      </figcaption>
      <details>
        <summary>Show the data as a table</summary>
        <TableWrap label="Open and fixed findings per day">
          <table>
            <caption className="visually-hidden">Open and fixed findings per day</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col" className="num">
                  Open
                </th>
                <th scope="col" className="num">
                  Fixed
                </th>
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={p.day}>
                  <th scope="row">{p.day}</th>
                  <td className="num">{p.open}</td>
                  <td className="num">{p.fixed}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </details>
    </figure>
  );
}
