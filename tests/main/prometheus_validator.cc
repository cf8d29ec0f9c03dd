#include "tests/main/prometheus_validator.h"

#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>

namespace testing_util {

namespace {

bool NameChar(char c, bool first, bool colon) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (colon && c == ':') return true;
  return !first && c >= '0' && c <= '9';
}

bool ValidName(const std::string& s, bool colon) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!NameChar(s[i], i == 0, colon)) return false;
  }
  return true;
}

bool ParseValue(const std::string& s, double* v) {
  if (s == "+Inf") {
    *v = INFINITY;
    return true;
  }
  if (s == "-Inf") {
    *v = -INFINITY;
    return true;
  }
  if (s == "NaN") {
    *v = NAN;
    return true;
  }
  char* end = nullptr;
  *v = std::strtod(s.c_str(), &end);
  return !s.empty() && end == s.c_str() + s.size();
}

// name{a="x",b="y"} value [timestamp]
bool ParseLine(const std::string& line, PromSample* out, std::string* error) {
  size_t i = 0;
  while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
  out->name = line.substr(0, i);
  if (!ValidName(out->name, true)) {
    *error = "bad metric name in: " + line;
    return false;
  }
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      size_t eq = line.find('=', i);
      if (eq == std::string::npos) {
        *error = "bad labels in: " + line;
        return false;
      }
      std::string label = line.substr(i, eq - i);
      if (!ValidName(label, false)) {
        *error = "bad label name '" + label + "' in: " + line;
        return false;
      }
      if (eq + 1 >= line.size() || line[eq + 1] != '"') {
        *error = "unquoted label value in: " + line;
        return false;
      }
      std::string value;
      size_t j = eq + 2;
      for (; j < line.size() && line[j] != '"'; ++j) {
        if (line[j] == '\\' && j + 1 < line.size()) {
          char c = line[++j];
          value += c == 'n' ? '\n' : c;
        } else {
          value += line[j];
        }
      }
      if (j >= line.size()) {
        *error = "unterminated label value in: " + line;
        return false;
      }
      if (out->labels.count(label) != 0) {
        *error = "duplicate label in: " + line;
        return false;
      }
      out->labels[label] = value;
      i = j + 1;
      if (i < line.size() && line[i] == ',') ++i;
    }
    if (i >= line.size()) {
      *error = "unterminated label set in: " + line;
      return false;
    }
    ++i;  // '}'
  }
  if (i >= line.size() || line[i] != ' ') {
    *error = "no value in: " + line;
    return false;
  }
  std::istringstream rest(line.substr(i + 1));
  std::string value, timestamp, extra;
  rest >> value >> timestamp >> extra;
  if (!ParseValue(value, &out->value) || !extra.empty()) {
    *error = "bad value in: " + line;
    return false;
  }
  return true;
}

std::string Strip(const std::string& name, const std::string& suffix) {
  if (name.size() > suffix.size() &&
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return name.substr(0, name.size() - suffix.size());
  }
  return std::string();
}

std::string LabelKey(const std::map<std::string, std::string>& labels,
                     bool drop_le) {
  std::string key;
  for (const auto& kv : labels) {
    if (drop_le && kv.first == "le") continue;
    key += kv.first + "=" + kv.second + ",";
  }
  return key;
}

}  // namespace

bool ParsePromText(const std::string& text, std::vector<PromSample>* samples,
                   std::string* error) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    PromSample s;
    if (!ParseLine(line, &s, error)) return false;
    samples->push_back(std::move(s));
  }
  return true;
}

std::string ValidatePromText(const std::string& text) {
  if (text.empty() || text.back() != '\n') return "page does not end with a newline";
  std::map<std::string, std::string> type_of;  // family -> type
  std::set<std::string> help_of;
  std::set<std::string> series;
  struct Hist {
    double last_le = -INFINITY;
    double last_count = 0;
    bool has_inf = false;
    double inf = 0;
    bool has_count = false;
    double count = 0;
    bool has_sum = false;
  };
  std::map<std::string, Hist> hists;  // family|labels -> state
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      std::istringstream f(line.substr(7));
      std::string name, rest;
      f >> name;
      std::getline(f, rest);
      if (!ValidName(name, true)) return "bad family name in: " + line;
      if (line[2] == 'H') {
        if (!help_of.insert(name).second) return "second HELP for " + name;
      } else {
        std::string type = rest.empty() ? "" : rest.substr(1);
        if (type != "counter" && type != "gauge" && type != "histogram" &&
            type != "summary" && type != "untyped") {
          return "bad TYPE in: " + line;
        }
        if (type_of.count(name) != 0) return "second TYPE for " + name;
        type_of[name] = type;
      }
      continue;
    }
    if (line[0] == '#') continue;  // comment
    PromSample s;
    std::string error;
    if (!ParseLine(line, &s, &error)) return error;
    std::string family = s.name;
    std::string part;
    if (type_of.count(family) == 0) {
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        std::string base = Strip(s.name, suffix);
        if (!base.empty() && type_of.count(base) != 0 &&
            (type_of[base] == "histogram" || type_of[base] == "summary")) {
          family = base;
          part = suffix;
        }
      }
    }
    if (type_of.count(family) == 0) return "sample before its TYPE: " + line;
    if (help_of.count(family) == 0) return "sample without HELP: " + line;
    if (!series.insert(s.name + "{" + LabelKey(s.labels, false) + "}").second) {
      return "duplicate series: " + line;
    }
    if (type_of[family] == "counter" && s.value < 0) return "negative counter: " + line;
    if (type_of[family] != "histogram") continue;
    if (part.empty()) return "histogram sample without _bucket/_sum/_count: " + line;
    Hist& h = hists[family + "|" + LabelKey(s.labels, true)];
    if (part == "_bucket") {
      auto le = s.labels.find("le");
      double bound;
      if (le == s.labels.end() || !ParseValue(le->second, &bound)) {
        return "bucket without a valid le: " + line;
      }
      if (h.has_inf) return "bucket after +Inf: " + line;
      if (!(bound > h.last_le)) return "le not increasing: " + line;
      if (s.value < h.last_count) return "buckets not cumulative: " + line;
      h.last_le = bound;
      h.last_count = s.value;
      if (std::isinf(bound)) {
        h.has_inf = true;
        h.inf = s.value;
      }
    } else if (part == "_count") {
      h.has_count = true;
      h.count = s.value;
    } else {
      h.has_sum = true;
    }
  }
  for (const auto& kv : hists) {
    const Hist& h = kv.second;
    if (!h.has_inf) return "histogram without +Inf bucket: " + kv.first;
    if (!h.has_count || h.count != h.inf) return "+Inf bucket != _count: " + kv.first;
    if (!h.has_sum) return "histogram without _sum: " + kv.first;
  }
  return "";
}

double PromValue(const std::vector<PromSample>& samples, const std::string& name,
                 const std::map<std::string, std::string>& match) {
  double sum = 0;
  bool any = false;
  for (const PromSample& s : samples) {
    if (s.name != name) continue;
    bool ok = true;
    for (const auto& kv : match) {
      auto it = s.labels.find(kv.first);
      if (it == s.labels.end() || it->second != kv.second) ok = false;
    }
    if (!ok) continue;
    sum += s.value;
    any = true;
  }
  return any ? sum : -1;
}

}  // namespace testing_util
