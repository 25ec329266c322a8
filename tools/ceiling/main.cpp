// http_ceiling: the least an HTTP/1.1 server on Asio and Beast does per request
// (read it, answer a fixed 200 with a small JSON body, keep the connection), on one
// thread like eddy. tools/bench-sqs loads it exactly as it loads eddy, so the
// figures show how close eddy comes to the ceiling of this machine and kernel.
// Usage: http_ceiling PORT
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <cstdlib>
#include <iostream>

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

namespace {

asio::awaitable<void> serve(tcp::socket socket) {
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response{http::status::ok, 11};
    response.set(http::field::content_type, "application/x-amz-json-1.0");
    response.body() = R"({"MD5OfMessageBody":"0123456789abcdef0123456789abcdef",)"
                      R"("MessageId":"01234567-89ab-cdef-0123-456789abcdef"})";
    response.prepare_payload();
    try {
        for (;;) {
            http::request<http::string_body> request;
            co_await http::async_read(socket, buffer, request, asio::use_awaitable);
            response.keep_alive(request.keep_alive());
            co_await http::async_write(socket, response, asio::use_awaitable);
            if (!request.keep_alive()) break;
        }
    } catch (const std::exception&) {
    }
}

asio::awaitable<void> listen(tcp::acceptor acceptor) {
    for (;;) {
        auto socket = co_await acceptor.async_accept(asio::use_awaitable);
        socket.set_option(tcp::no_delay(true));
        asio::co_spawn(acceptor.get_executor(), serve(std::move(socket)), asio::detached);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: http_ceiling PORT\n";
        return 2;
    }
    asio::io_context io(1);
    tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(std::atoi(argv[1]))});
    asio::co_spawn(io, listen(std::move(acceptor)), asio::detached);
    io.run();
}
