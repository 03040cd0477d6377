import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** Series colours with at least 4.5:1 contrast on white. */
const COLOURS = ['#0a58ca', '#b3261e', '#1a7f37', '#8250df', '#9a6700', '#0f6f7f'];

export interface TimeSeries {
  readonly label: string;
  /** One value per time; null where there is no value (a gap). */
  readonly values: ReadonlyArray<number | null>;
}

/** A line chart over time (uPlot), with a text label for screen readers. */
export function TimeChart(props: {
  /** Unix seconds. */
  times: readonly number[];
  series: readonly TimeSeries[];
  label: string;
  unit: string;
}) {
  const holder = useRef<HTMLDivElement>(null);
  const { times, series, label, unit } = props;
  useEffect(() => {
    const element = holder.current;
    if (element === null) return undefined;
    const data = [times, ...series.map((s) => s.values)] as unknown as uPlot.AlignedData;
    const chart = new uPlot(
      {
        width: Math.max(280, element.clientWidth),
        height: 220,
        series: [
          {},
          ...series.map((s, i) => ({ label: s.label, stroke: COLOURS[i % COLOURS.length] as string, width: 2 })),
        ],
        axes: [{}, { label: unit }],
      },
      data,
      element,
    );
    return () => chart.destroy();
  }, [times, series, unit]);
  return <div ref={holder} role="img" aria-label={label} className="usage-chart" />;
}
