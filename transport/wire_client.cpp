// Small accessors over the client request/reply variants.
#include "transport/wire_client.h"

namespace meadow::transport::wire {

std::uint64_t request_id_of(const Request& request) {
  return std::visit([](const auto& r) { return r.request_id; }, request);
}

std::uint64_t request_id_of(const Reply& reply) {
  return std::visit([](const auto& r) { return r.request_id; }, reply);
}

void set_request_id(Request& request, std::uint64_t request_id) {
  std::visit([&](auto& r) { r.request_id = request_id; }, request);
}

bool is_write(const Request& request) {
  return std::holds_alternative<PutRequest>(request) ||
         std::holds_alternative<DeleteRequest>(request);
}

}  // namespace meadow::transport::wire
