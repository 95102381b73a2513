// CurveZMQ support: key pairs (Z85 text) and the socket options that make a socket a CURVE
// server or client. Off unless a key is configured. Depends on cppzmq/libzmq only.
#pragma once

#include <optional>
#include <string>

#include <zmq.hpp>

namespace meadow::transport {

/// A CurveZMQ key pair in Z85 text (40 characters each).
struct CurveKeyPair {
  std::string public_key;
  std::string secret_key;
};

/// True if the linked libzmq was built with CURVE (zmq_has("curve")).
bool curve_available();

/// A fresh random key pair, or nullopt if CURVE is unavailable.
std::optional<CurveKeyPair> generate_curve_key_pair();

/// Makes `socket` a CURVE server with `server_keys` (call before bind). Returns false and fills
/// `error` if libzmq refuses (e.g. malformed key or no CURVE support).
bool make_curve_server(zmq::socket_t& socket, const CurveKeyPair& server_keys, std::string& error);

/// Makes `socket` a CURVE client of a server whose public key is `server_public_key`, using
/// `client_keys` as its own pair (call before connect). Same error contract.
bool make_curve_client(zmq::socket_t& socket, const std::string& server_public_key,
                       const CurveKeyPair& client_keys, std::string& error);

}  // namespace meadow::transport
