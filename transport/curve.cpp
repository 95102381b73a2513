// CurveZMQ key generation and socket setup through libzmq's C API (cppzmq has no wrapper for
// zmq_curve_keypair; socket options go through cppzmq's typed set()).
#include "transport/curve.h"

namespace meadow::transport {
namespace {

constexpr std::size_t kZ85KeyChars = 40;

bool valid_key(const std::string& key) { return key.size() == kZ85KeyChars; }

}  // namespace

bool curve_available() { return zmq_has("curve") != 0; }

std::optional<CurveKeyPair> generate_curve_key_pair() {
  if (!curve_available()) return std::nullopt;
  char public_key[kZ85KeyChars + 1] = {};
  char secret_key[kZ85KeyChars + 1] = {};
  if (zmq_curve_keypair(public_key, secret_key) != 0) return std::nullopt;
  return CurveKeyPair{public_key, secret_key};
}

bool make_curve_server(zmq::socket_t& socket, const CurveKeyPair& server_keys,
                       std::string& error) {
  if (!curve_available()) {
    error = "CURVE requested but this libzmq was built without it";
    return false;
  }
  if (!valid_key(server_keys.secret_key)) {
    error = "CURVE secret key must be 40 Z85 characters";
    return false;
  }
  try {
    socket.set(zmq::sockopt::curve_server, 1);
    socket.set(zmq::sockopt::curve_secretkey, server_keys.secret_key);
  } catch (const zmq::error_t& e) {
    error = std::string("CURVE server setup failed: ") + e.what();
    return false;
  }
  return true;
}

bool make_curve_client(zmq::socket_t& socket, const std::string& server_public_key,
                       const CurveKeyPair& client_keys, std::string& error) {
  if (!curve_available()) {
    error = "CURVE requested but this libzmq was built without it";
    return false;
  }
  if (!valid_key(server_public_key) || !valid_key(client_keys.public_key) ||
      !valid_key(client_keys.secret_key)) {
    error = "CURVE keys must be 40 Z85 characters";
    return false;
  }
  try {
    socket.set(zmq::sockopt::curve_serverkey, server_public_key);
    socket.set(zmq::sockopt::curve_publickey, client_keys.public_key);
    socket.set(zmq::sockopt::curve_secretkey, client_keys.secret_key);
  } catch (const zmq::error_t& e) {
    error = std::string("CURVE client setup failed: ") + e.what();
    return false;
  }
  return true;
}

}  // namespace meadow::transport
