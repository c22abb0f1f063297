-- wrk script: POST one pre-signed Alexa request, over and over, and print the
-- figures as one JSON line at the end. The body and headers come from files and
-- environment variables set by benchmarks/http_load.py.
wrk.method = "POST"
local source = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
wrk.body = source:read("*a")
source:close()
wrk.headers["Content-Type"] = "application/json; charset=utf-8"
local cert_url, signature = os.getenv("BENCH_CERT_URL"), os.getenv("BENCH_SIGNATURE")
if cert_url and cert_url ~= "" then
  wrk.headers["SignatureCertChainUrl"] = cert_url
  wrk.headers["Signature-256"] = signature
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
