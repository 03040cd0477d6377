import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** Requests and errors per hour (from `GET /usage`), drawn by uPlot. */
export function UsageChart(props: {
  hours: ReadonlyArray<{ hour: string; invocations: number; errors: number }>;
  label: string;
}) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = holder.current;
    if (element === null) return undefined;
    const xs = props.hours.map((h) => Date.parse(h.hour) / 1000);
    const data: uPlot.AlignedData = [xs, props.hours.map((h) => h.invocations), props.hours.map((h) => h.errors)];
    const chart = new uPlot(
      {
        width: Math.max(280, element.clientWidth),
        height: 220,
        series: [
          {},
          { label: 'Requests', stroke: '#0a58ca', width: 2 },
          { label: 'Errors', stroke: '#b3261e', width: 2 },
        ],
        axes: [{}, { label: 'per hour' }],
      },
      data,
      element,
    );
    return () => chart.destroy();
  }, [props.hours]);
  return <div ref={holder} role="img" aria-label={props.label} className="usage-chart" />;
}
