-- wrk -s perf/wrk-report.lua: prints the summary as one JSON line, latencies
-- in milliseconds, so perf/bench.sh gets p99.9 too (wrk --latency stops at p99).
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"p999_ms":%.3f,"max_ms":%.3f,"errors":%d,"non_2xx":%d,"timeouts":%d}\n',
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000,
    e.connect + e.read + e.write, e.status, e.timeout))
end
