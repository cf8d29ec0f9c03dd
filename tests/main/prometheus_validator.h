// A structural checker for the Prometheus text exposition format 0.0.4, and
// a parser test code uses to read sample values from a scrape.
//
// Checks: every sample belongs to a family announced by # HELP and # TYPE
// before it; names and label names are valid; values parse; no series
// appears twice; histograms have cumulative (non-decreasing) buckets in
// increasing le order ending with le="+Inf", and +Inf equals _count, with a
// _sum present.
#ifndef TESTS_MAIN_PROMETHEUS_VALIDATOR_H_
#define TESTS_MAIN_PROMETHEUS_VALIDATOR_H_

#include <map>
#include <string>
#include <vector>

namespace testing_util {

struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Parses every sample line; false (and *error) on a malformed line.
bool ParsePromText(const std::string& text, std::vector<PromSample>* samples,
                   std::string* error);

// The structural checks above; returns "" when the page is valid, else the
// first problem found.
std::string ValidatePromText(const std::string& text);

// Sum of the values of samples named `name` whose labels include all of
// `match` (-1 if none matched).
double PromValue(const std::vector<PromSample>& samples, const std::string& name,
                 const std::map<std::string, std::string>& match = {});

}  // namespace testing_util

#endif  // TESTS_MAIN_PROMETHEUS_VALIDATOR_H_
