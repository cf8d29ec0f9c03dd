// PrometheusWriter: builds a page in the Prometheus text exposition format
// 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
//
// Each metric family starts with Family(), which writes its # HELP and # TYPE
// lines once; samples follow. Label values and help text are escaped as the
// format requires. Names are checked with DCHECK (they are constants in our
// code, never user input).
//
// Not thread-safe; one writer per page.
#ifndef MEMCACHE_PROMETHEUS_WRITER_H_
#define MEMCACHE_PROMETHEUS_WRITER_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "memcache/latency_histogram.h"

namespace memcache {

class PrometheusWriter {
 public:
  using Label = std::pair<std::string_view, std::string_view>;
  using Labels = std::initializer_list<Label>;

  // The Content-Type of the page.
  static constexpr const char* kContentType =
      "text/plain; version=0.0.4; charset=utf-8";

  // type: "counter", "gauge", "histogram", "summary" or "untyped".
  void Family(std::string_view name, std::string_view type, std::string_view help);

  void Sample(std::string_view name, Labels labels, uint64_t value);
  void Sample(std::string_view name, Labels labels, double value);
  void Sample(std::string_view name, uint64_t value) { Sample(name, {}, value); }
  void Sample(std::string_view name, double value) { Sample(name, {}, value); }

  // A histogram of latencies in seconds: name_bucket{le=...} (cumulative),
  // name_sum and name_count, with `labels` on each. Call Family(name,
  // "histogram", ...) first.
  void Histogram(std::string_view name, Labels labels,
                 const HistogramSnapshot& snapshot);

  const std::string& text() const { return text_; }
  std::string Release() { return std::move(text_); }

  // Shortest text that reads back as `value` ("+Inf", "NaN" included).
  static std::string FormatDouble(double value);
  // [a-zA-Z_:][a-zA-Z0-9_:]* / [a-zA-Z_][a-zA-Z0-9_]*
  static bool ValidMetricName(std::string_view name);
  static bool ValidLabelName(std::string_view name);

 private:
  void Begin(std::string_view name, Labels labels, const Label* extra);
  void AppendEscaped(std::string_view value, bool quote_escapes);

  std::string text_;
};

}  // namespace memcache

#endif  // MEMCACHE_PROMETHEUS_WRITER_H_
