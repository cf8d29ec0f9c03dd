#include "memcache/prometheus_writer.h"

#include <glog/logging.h>

#include <charconv>
#include <cmath>

namespace memcache {

namespace {

bool NameChar(char c, bool first, bool allow_colon) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (allow_colon && c == ':') return true;
  return !first && c >= '0' && c <= '9';
}

bool ValidName(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!NameChar(name[i], i == 0, allow_colon)) return false;
  }
  return true;
}

}  // namespace

bool PrometheusWriter::ValidMetricName(std::string_view name) {
  return ValidName(name, true);
}

bool PrometheusWriter::ValidLabelName(std::string_view name) {
  return ValidName(name, false) && name.substr(0, 2) != "__";
}

std::string PrometheusWriter::FormatDouble(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, r.ptr);
}

void PrometheusWriter::AppendEscaped(std::string_view value, bool quote_escapes) {
  for (char c : value) {
    if (c == '\\') {
      text_ += "\\\\";
    } else if (c == '\n') {
      text_ += "\\n";
    } else if (c == '"' && quote_escapes) {
      text_ += "\\\"";
    } else {
      text_ += c;
    }
  }
}

void PrometheusWriter::Family(std::string_view name, std::string_view type,
                              std::string_view help) {
  DCHECK(ValidMetricName(name)) << name;
  text_ += "# HELP ";
  text_ += name;
  text_ += ' ';
  AppendEscaped(help, /*quote_escapes=*/false);
  text_ += "\n# TYPE ";
  text_ += name;
  text_ += ' ';
  text_ += type;
  text_ += '\n';
}

void PrometheusWriter::Begin(std::string_view name, Labels labels,
                             const Label* extra) {
  DCHECK(ValidMetricName(name)) << name;
  text_ += name;
  if (labels.size() == 0 && extra == nullptr) {
    text_ += ' ';
    return;
  }
  text_ += '{';
  bool first = true;
  auto add = [this, &first](const Label& l) {
    DCHECK(ValidLabelName(l.first)) << l.first;
    if (!first) text_ += ',';
    first = false;
    text_ += l.first;
    text_ += "=\"";
    AppendEscaped(l.second, /*quote_escapes=*/true);
    text_ += '"';
  };
  for (const Label& l : labels) add(l);
  if (extra != nullptr) add(*extra);
  text_ += "} ";
}

void PrometheusWriter::Sample(std::string_view name, Labels labels,
                              uint64_t value) {
  Begin(name, labels, nullptr);
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), value);
  text_.append(buf, r.ptr);
  text_ += '\n';
}

void PrometheusWriter::Sample(std::string_view name, Labels labels, double value) {
  Begin(name, labels, nullptr);
  text_ += FormatDouble(value);
  text_ += '\n';
}

void PrometheusWriter::Histogram(std::string_view name, Labels labels,
                                 const HistogramSnapshot& snapshot) {
  const std::string bucket = std::string(name) + "_bucket";
  uint64_t cumulative = 0;
  for (int i = 0; i < HistogramSnapshot::kBuckets; ++i) {
    cumulative += snapshot.buckets[i];
    const std::string le =
        i < HistogramSnapshot::kFiniteBuckets
            ? FormatDouble(HistogramSnapshot::UpperBoundSeconds(i))
            : "+Inf";
    const Label le_label{"le", le};
    Begin(bucket, labels, &le_label);
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof(buf), cumulative);
    text_.append(buf, r.ptr);
    text_ += '\n';
  }
  Sample(std::string(name) + "_sum", labels,
         static_cast<double>(snapshot.sum_nanos) * 1e-9);
  Sample(std::string(name) + "_count", labels, cumulative);
}

}  // namespace memcache
