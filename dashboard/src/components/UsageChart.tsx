import { useMemo } from 'react';
import { TimeChart } from './TimeChart.js';

/** Requests and errors per hour (from `GET /usage`). */
export function UsageChart(props: {
  hours: ReadonlyArray<{ hour: string; invocations: number; errors: number }>;
  label: string;
}) {
  const { hours } = props;
  const times = useMemo(() => hours.map((h) => Date.parse(h.hour) / 1000), [hours]);
  const series = useMemo(
    () => [
      { label: 'Requests', values: hours.map((h) => h.invocations) },
      { label: 'Errors', values: hours.map((h) => h.errors) },
    ],
    [hours],
  );
  return <TimeChart times={times} series={series} label={props.label} unit="per hour" />;
}
