#include "http/server.hpp"

#include "core/aws_error.hpp"
#include "core/encoding.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "protocol/codec.hpp"
#include "protocol/router.hpp"
#include "protocol/sigv4.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/clamp.hpp>
#include <boost/beast/http.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <list>
#include <memory>

namespace eddy::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using protocol::wire_request;
using protocol::wire_response;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Header names are tokens, ASCII only: no locale to consult.
void lower_in_place(std::string& s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
}

// AWS reads the account from an access key id that is twelve digits, as LocalStack does.
std::string account_of(const protocol::credential_scope& scope) {
    auto& key = scope.access_key;
    if (key.size() == 12 && std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return key;
    return std::string(default_account);
}

}  // namespace

// A connection's socket and its one deadline timer. Beast's tcp_stream arms and cancels a
// timer around every read and write; here a request only stores its deadline, and the
// timer, armed lazily, wakes at the old time and sleeps on to the new one when the
// deadline has moved later. Shared with the timer's wait, which may outlive the session.
struct connection : std::enable_shared_from_this<connection> {
    using time_point = std::chrono::steady_clock::time_point;

    tcp::socket socket;
    asio::steady_timer timer;
    time_point deadline = time_point::max();  // max: no I/O waiting, nothing to time out
    time_point armed = time_point::max();     // when the pending wait wakes; max: none pending
    bool closed = false;

    explicit connection(tcp::socket s) : socket(std::move(s)), timer(socket.get_executor()) {}

    // The I/O started next fails (operation_aborted) when it has not finished by `t`.
    void expire_at(time_point t) {
        deadline = t;
        if (t < armed) arm(t);
    }
    void expire_never() { deadline = time_point::max(); }
    void close() {
        closed = true;
        timer.cancel();
    }

  private:
    void arm(time_point t) {
        armed = t;
        timer.expires_at(t);  // a wait already pending completes with operation_aborted and is ignored
        timer.async_wait([self = shared_from_this(), t](beast::error_code ec) { self->woke(ec, t); });
    }
    void woke(beast::error_code ec, time_point t) {
        if (ec || closed || t != armed) return;
        armed = time_point::max();
        if (deadline == time_point::max()) return;
        if (deadline <= std::chrono::steady_clock::now())
            socket.cancel();
        else
            arm(deadline);
    }
};

// A connection's request, kept from one request to the next with the strings of its
// header fields: a field's name and value are assigned into strings an earlier request
// left, so a client that sends the same kind of request again allocates nothing for them.
struct request_slot {
    wire_request request;
    std::vector<std::pair<std::string, std::string>> spare;  // fields of earlier requests, for their capacity

    // Empties the request for the next one on the connection.
    void recycle() {
        for (auto& field : request.headers)
            spare.push_back(std::move(field));
        request.headers.clear();
        request.method.clear();
        request.path.clear();
        request.query.clear();
        if (!request.body_file.empty()) {
            ::unlink(request.body_file.c_str());  // a no-op once its object took it
            request.body_file.clear();
        }
        // A large body's buffer is not kept for the life of the connection.
        if (request.body.capacity() > 64 * 1024)
            std::string().swap(request.body);
        else
            request.body.clear();
    }
    std::pair<std::string, std::string>& add_header() {
        if (spare.empty()) return request.headers.emplace_back();
        request.headers.push_back(std::move(spare.back()));
        spare.pop_back();
        return request.headers.back();
    }
};

// Beast's HTTP/1 parser writing one request straight into a connection's request_slot.
// Its parser<string_body> kept a header list of its own, an allocation per field, that
// was then copied field by field; what the session asks of the message (Expect,
// keep-alive, version, method) is answered here as message<> answers it.
class request_parser final : public bhttp::basic_parser<true> {
  public:
    explicit request_parser(request_slot& slot) : request(slot.request), slot_(slot) {}

    wire_request& request;
    unsigned version = 0;
    bhttp::verb method = bhttp::verb::unknown;

    ~request_parser() { close_spool(); }

    // Sends the rest of the body to a new file in `dir` rather than to memory.
    bool spool_into(const std::string& dir) {
        request.body_file = dir + "/upload-" + new_uuid();
        spool_fd_ = ::open(request.body_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (spool_fd_ < 0) request.body_file.clear();
        return spool_fd_ >= 0;
    }
    void close_spool() {
        if (spool_fd_ >= 0) ::close(spool_fd_);
        spool_fd_ = -1;
    }

    // The first Expect field asks for 100-continue.
    bool expects_continue() const {
        return request.has_header("expect") && ascii_iequals(request.header("expect"), "100-continue");
    }
    // message::keep_alive(): by the first Connection field and the version.
    bool keep_alive() const {
        bool present = request.has_header("connection");
        auto connection = request.header("connection");
        if (version < 11) return present && bhttp::token_list{connection}.exists("keep-alive");
        return !present || !bhttp::token_list{connection}.exists("close");
    }

  private:
    request_slot& slot_;

    void on_request_impl(bhttp::verb m, beast::string_view method_verb, beast::string_view target_text, int v,
                         beast::error_code&) override {
        method = m;
        version = static_cast<unsigned>(v);
        request.method.assign(method_verb.data(), method_verb.size());
        std::string_view target(target_text.data(), target_text.size());
        auto q = target.find('?');
        request.path.assign(target.substr(0, q));
        if (q != std::string_view::npos) request.query.assign(target.substr(q + 1));
    }
    void on_response_impl(int, beast::string_view, int, beast::error_code&) override {}
    void on_field_impl(bhttp::field, beast::string_view name, beast::string_view value, beast::error_code&) override {
        auto& header = slot_.add_header();
        header.first.assign(name.data(), name.size());
        lower_in_place(header.first);
        header.second.assign(value.data(), value.size());
    }
    void on_header_impl(beast::error_code& ec) override { ec = {}; }
    int spool_fd_ = -1;

    void on_body_init_impl(const boost::optional<std::uint64_t>& length, beast::error_code& ec) override {
        if (length && spool_fd_ < 0) request.body.reserve(beast::detail::clamp(*length));
        ec = {};
    }
    std::size_t on_body_impl(beast::string_view body, beast::error_code& ec) override {
        ec = {};
        if (spool_fd_ < 0) {
            request.body.append(body.data(), body.size());
            return body.size();
        }
        std::size_t done = 0;
        while (done < body.size()) {
            auto n = ::write(spool_fd_, body.data() + done, body.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                ec = beast::error_code(errno ? errno : EIO, beast::system_category());
                return done;
            }
            done += static_cast<std::size_t>(n);
        }
        return done;
    }
    void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, beast::error_code& ec) override {
        return on_body_impl(body, ec);
    }
    void on_finish_impl(beast::error_code& ec) override { ec = {}; }
};

// Feeds `parser` what `buffer` holds. True when that settles the read: the header (or,
// unless `header_only`, the whole message) is complete, or `ec` says why it never will
// be; false when more bytes must be read first.
bool parse_buffered(beast::flat_buffer& buffer, request_parser& parser, bool header_only, beast::error_code& ec) {
    parser.eager(!header_only);
    ec = {};
    while (!(header_only ? parser.is_header_done() : parser.is_done())) {
        if (buffer.size() == 0) return false;
        buffer.consume(parser.put(buffer.data(), ec));
        if (ec == bhttp::error::need_more) {
            ec = {};
            return false;
        }
        if (ec) return true;
    }
    return true;
}

// Beast's http::async_read_header (header_only) or http::async_read: feeds `parser` from
// `buffer`, reading from the socket while it needs more, with the same results and errors,
// without a composed operation per read. A caller that tried parse_buffered first spares
// this coroutine's frame when the buffer already held the rest (a small request's body).
asio::awaitable<beast::error_code> read_request(tcp::socket& socket, beast::flat_buffer& buffer, request_parser& parser,
                                                bool header_only, const std::function<void()>* progress = nullptr) {
    beast::error_code ec;
    for (;;) {
        if (parse_buffered(buffer, parser, header_only, ec)) co_return ec;
        auto size = beast::read_size(buffer, 65536);
        if (size == 0) co_return bhttp::error::buffer_overflow;
        auto [rec, n] = co_await socket.async_read_some(buffer.prepare(size), use_tuple);
        buffer.commit(n);
        if (progress) (*progress)();
        if (rec == asio::error::eof) {
            if (!parser.got_some()) co_return bhttp::error::end_of_stream;
            parser.put_eof(ec);  // a message ended by the close (or cut short by it)
            co_return ec;
        }
        if (rec) co_return rec;
    }
}

// Bodies of uploads above this size are received into a file when eddy is durable.
constexpr std::uint64_t spool_threshold = 1024 * 1024;

// An S3 PUT or POST (object, part, or a presigned one), which may carry up to 5 GiB.
bool is_upload(const wire_request& request) {
    if (request.method != "PUT" && request.method != "POST") return false;
    protocol::credential_scope scope;
    if (protocol::parse_credential_scope(request, scope)) return scope.service == "s3";
    // SigV2, in a header or a presigned URL: S3 is the one service eddy serves that takes it
    return request.header("authorization").starts_with("AWS ") ||
           request.query.find("AWSAccessKeyId=") != std::string::npos;
}

struct server::impl {
    asio::io_context& io;
    server_config config;
    dispatcher& calls;
    const eddy::clock& clock;
    tcp::acceptor acceptor;
    std::list<tcp::acceptor> more_acceptors;  // listen_also's, on the same port
    bool stopping = false;
    std::function<void()> drained;

    struct session_state {
        tcp::socket* socket = nullptr;
        bool busy = false;
    };
    std::list<session_state> sessions;

    impl(asio::io_context& io_, server_config c, dispatcher& d, const eddy::clock& cl)
        : io(io_), config(std::move(c)), calls(d), clock(cl), acceptor(io_) {}

    asio::awaitable<void> listen(tcp::acceptor& acceptor) {
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
            if (ec) {
                if (stopping || ec == asio::error::operation_aborted) co_return;
                log::warn("accept failed: " + ec.message());
                continue;
            }
            socket.set_option(tcp::no_delay(true));
            asio::co_spawn(io, run_session(std::move(socket)), asio::detached);
        }
    }

    void check_drained() {
        if (stopping && sessions.empty() && drained) asio::post(io, std::exchange(drained, nullptr));
    }

    wire_response refuse(const wire_request& headers_only, const aws_error& error) {
        auto r = protocol::route_from_headers(headers_only);
        wire_response out;
        protocol::encode_error(r.op.service, r.op.model, r.op.protocol, error, new_uuid(), out);
        return out;
    }

    // The status line and headers of a response, written by hand: Beast's general
    // serializer costs more than the rest of a small request put together.
    static std::string response_head(const wire_response& out, unsigned version, bool keep_alive) {
        using namespace std::literals;  // string_view pieces: appended without a strlen each
        auto number = [](std::size_t n, char(&buf)[24]) {
            return std::string_view(buf, static_cast<std::size_t>(std::to_chars(buf, buf + sizeof buf, n).ptr - buf));
        };
        char status_buf[24], length_buf[24];
        std::string head;
        std::size_t size = 96;  // status line, Server, Content-Length, Connection
        for (auto& [k, v] : out.headers)
            size += k.size() + v.size() + 4;
        head.reserve(size);
        head += version == 10 ? "HTTP/1.0 "sv : "HTTP/1.1 "sv;
        head += number(static_cast<std::size_t>(out.status), status_buf);
        head += ' ';
        head += bhttp::obsolete_reason(static_cast<bhttp::status>(out.status));
        head += "\r\n"sv;
        for (auto& [k, v] : out.headers) {
            head += k;
            head += ": "sv;
            head += v;
            head += "\r\n"sv;
        }
        head += "Server: eddy\r\n"sv;
        // a HEAD answer states the length a GET would have (S3's HeadObject sets it itself)
        bool length_given = false;
        for (auto& [k, v] : out.headers)
            if (k.size() == 14 && ascii_iequals(k, "content-length")) length_given = true;
        if (out.status != 204 && out.status != 304 && out.status >= 200 && !length_given) {
            head += "Content-Length: "sv;
            head += number(out.stream ? out.stream->length : out.body.size(), length_buf);
            head += "\r\n"sv;
        }
        if (version == 10 && keep_alive) head += "Connection: keep-alive\r\n"sv;
        if (version != 10 && !keep_alive) head += "Connection: close\r\n"sv;
        head += "\r\n"sv;
        return head;
    }

    asio::awaitable<void> run_session(tcp::socket socket) {
        auto conn = std::make_shared<connection>(std::move(socket));
        auto& stream = conn->socket;
        beast::flat_buffer buffer;
        sessions.push_back({&stream, false});
        auto self = std::prev(sessions.end());
        struct unregister {
            std::list<session_state>& list;
            std::list<session_state>::iterator it;
            impl& owner;
            connection& conn;
            ~unregister() {
                conn.close();
                list.erase(it);
                owner.check_drained();
            }
        } guard{sessions, self, *this, *conn};
        auto expire_after = [&](std::chrono::steady_clock::duration d) {
            conn->expire_at(std::chrono::steady_clock::now() + d);
        };

        request_slot slot;
        while (!stopping) {
            slot.recycle();
            request_parser parser(slot);
            parser.body_limit(std::max<std::uint64_t>(config.body_limit, config.upload_limit));
            parser.header_limit(64 * 1024);
            self->busy = false;
            expire_after(config.idle_timeout);
            auto ec = co_await read_request(stream, buffer, parser, true);
            self->busy = true;
            bool too_big = ec == bhttp::error::body_limit;
            bool upload = false;
            if (!ec) {
                // Only S3 uploads may pass the usual limit; when durable they go to a file as they come.
                // A body small enough for neither is read as any other, without asking what it is.
                auto length = parser.content_length();
                upload = (!length || *length > std::min<std::uint64_t>(config.body_limit, spool_threshold)) &&
                         is_upload(parser.request);
                if (!upload && length && *length > config.body_limit)
                    too_big = true;
                else if (!upload)
                    parser.body_limit(config.body_limit);
                else if (!config.spool_dir.empty() && (!length || *length > spool_threshold) &&
                         !parser.spool_into(config.spool_dir))
                    log::warn("cannot create a file in " + config.spool_dir + ": receiving the upload in memory");
            }
            if (ec && !too_big) {
                if (ec != bhttp::error::end_of_stream && ec != asio::error::operation_aborted &&
                    ec != asio::error::connection_reset && !stopping) {
                    // A request we cannot read: say so once, then close.
                    bhttp::response<bhttp::string_body> res{bhttp::status::bad_request, 11};
                    res.set(bhttp::field::content_type, "text/plain");
                    res.body() = "malformed HTTP request: " + ec.message() + "\n";
                    res.keep_alive(false);
                    res.prepare_payload();
                    co_await bhttp::async_write(stream, res, use_tuple);
                }
                break;
            }
            if (!too_big && parser.expects_continue()) {
                bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, parser.version};
                auto [wec, wn] = co_await bhttp::async_write(stream, cont, use_tuple);
                if (wec) break;
            }
            if (!too_big) {
                expire_after(std::chrono::seconds(300));
                beast::error_code rec;
                // a large upload keeps its connection while bytes keep coming
                std::function<void()> progress;
                if (upload) progress = [&] { expire_after(std::chrono::seconds(300)); };
                if (!parse_buffered(buffer, parser, false, rec))
                    rec = co_await read_request(stream, buffer, parser, false, upload ? &progress : nullptr);
                parser.close_spool();
                too_big = rec == bhttp::error::body_limit;
                if (rec && !too_big) break;
            }
            conn->expire_never();
            unsigned version = parser.version;
            bool keep_alive = parser.keep_alive();
            wire_response out;
            if (too_big) {
                auto& headers = parser.request;
                headers.body.clear();
                out = refuse(headers, aws_error("RequestEntityTooLarge",
                                                "Request body is larger than the limit of " +
                                                    std::to_string(config.body_limit) + " bytes",
                                                413));
                log::info("- " + headers.method + " " + headers.path + " 413 body over limit");
                keep_alive = false;
            } else {
                out = co_await handle(parser.request);
            }
            allow_origin(parser.request, out);
            keep_alive = keep_alive && !stopping;
            bool head = parser.method == bhttp::verb::head || out.status == 304 || out.status == 204;
            std::string header = response_head(out, version, keep_alive);
            expire_after(std::chrono::seconds(300));
            if (out.stream && !head) {
                if (!co_await write_stream(stream, header, *out.stream,
                                           [&] { expire_after(std::chrono::seconds(300)); }))
                    break;
                if (!keep_alive) break;
                continue;
            }
            std::array<asio::const_buffer, 2> parts{asio::buffer(header),
                                                    asio::buffer(out.body.data(), head ? 0 : out.body.size())};
            auto [wec, wn] = co_await asio::async_write(stream, parts, use_tuple);
            if (wec || !keep_alive) break;
        }
        beast::error_code ignored;
        stream.shutdown(tcp::socket::shutdown_send, ignored);
    }

    // A streamed payload after its head: shared bytes in one write, a file's region in
    // blocks read as they go, so a large object is never whole in memory. False when
    // the connection failed (or the file could not be read: the client sees a short body).
    template <typename Progress>
    static asio::awaitable<bool> write_stream(tcp::socket& stream, const std::string& header,
                                              const protocol::body_source& source, Progress progress) {
        if (source.memory) {
            std::array<asio::const_buffer, 2> parts{asio::buffer(header),
                                                    asio::buffer(source.memory->data() + source.offset, source.length)};
            auto [wec, wn] = co_await asio::async_write(stream, parts, use_tuple);
            co_return !wec;
        }
        auto [hec, hn] = co_await asio::async_write(stream, asio::buffer(header), use_tuple);
        if (hec) co_return false;
        int fd = ::open(source.file.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            log::error("cannot open " + source.file + " to send it");
            co_return false;
        }
        std::vector<char> block(std::min<std::uint64_t>(source.length, 1 << 20));
        std::uint64_t done = 0;
        bool ok = true;
        while (ok && done < source.length) {
            auto want = static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), source.length - done));
            auto got = ::pread(fd, block.data(), want, static_cast<off_t>(source.offset + done));
            if (got <= 0) {
                log::error("cannot read " + source.file + " to send it");
                ok = false;
                break;
            }
            auto [wec, wn] = co_await asio::async_write(
                stream, asio::buffer(block.data(), static_cast<std::size_t>(got)), use_tuple);
            ok = !wec;
            done += static_cast<std::uint64_t>(got);
            progress();
        }
        ::close(fd);
        co_return ok;
    }

    // CORS, for browser SDKs and web consoles: a preflight is answered here, before any
    // routing; every other answer to a request from an allowed Origin says so and exposes
    // its headers (request ids, x-amz-*, ETag) to the page.
    bool origin_allowed(std::string_view origin) const {
        for (auto& o : config.cors_origins)
            if (o == "*" || o == origin) return true;
        return false;
    }

    wire_response preflight(const wire_request& request) {
        wire_response out;
        if (auto own = calls.cors(request, true)) {
            if (own->allowed) {
                out.headers = own->headers;
                return out;
            }
            aws_error refusal(own->code, own->message, 403);
            protocol::encode_error(protocol::service_by_id("s3"), nullptr, "rest-xml", refusal, new_uuid(), out);
            return out;
        }
        auto origin = request.header("origin");
        if (!origin_allowed(origin)) {
            out.status = 403;
            out.set_header("Content-Type", "text/plain");
            out.body = "CORS: origin " + std::string(origin) + " is not allowed (see eddy --cors-origins)";
            return out;
        }
        out.set_header("Access-Control-Allow-Origin", std::string(origin));
        out.set_header("Access-Control-Allow-Methods", std::string(request.header("access-control-request-method")));
        if (auto asked = request.header("access-control-request-headers"); !asked.empty())
            out.set_header("Access-Control-Allow-Headers", std::string(asked));
        out.set_header("Access-Control-Max-Age", "86400");
        out.set_header("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
        return out;
    }

    void allow_origin(const wire_request& request, wire_response& out) const {
        auto origin = request.header("origin");
        if (origin.empty()) return;
        for (auto& [name, value] : out.headers)
            if (ascii_iequals(name, "access-control-allow-origin")) return;  // a preflight's own
        if (auto own = calls.cors(request, false)) {
            for (auto& [name, value] : own->headers)
                out.set_header(name, value);
            return;
        }
        if (!origin_allowed(origin)) return;
        std::string exposed = "ETag, Date, x-amzn-RequestId, x-amz-request-id, x-amz-id-2";
        for (auto& [name, value] : out.headers) {
            bool amz = name.size() > 6 && ascii_iequals(std::string_view(name).substr(0, 6), "x-amz-");
            if (amz && !ascii_iequals(name, "x-amz-request-id") && !ascii_iequals(name, "x-amz-id-2"))
                exposed += ", " + name;
        }
        out.set_header("Access-Control-Allow-Origin", std::string(origin));
        out.set_header("Access-Control-Expose-Headers", std::move(exposed));
        out.set_header("Vary", "Origin");
    }

    wire_response health() {
        json services = json::object();
        for (auto& s : protocol::services())
            services[std::string(s.id)] = calls.implements(s.id) ? "running" : "not implemented";
        return json_response(200, {{"version", EDDY_VERSION}, {"edition", "eddy"}, {"services", services}});
    }

    static wire_response json_response(int status, const json& body) {
        wire_response out;
        out.status = status;
        out.set_header("Content-Type", "application/json");
        out.body = body.dump();
        return out;
    }

    // GET /_eddy/clock tells the time eddy runs on; POST moves a manual clock
    // forward ({"advanceSeconds": n} or {"epochMillis": t}), waking every timer due.
    wire_response clock_endpoint(const wire_request& request) {
        auto reading = [&] {
            return json{{"mode", config.manual ? "manual" : "system"},
                        {"now", format_iso8601(clock.now_ms())},
                        {"epochMillis", clock.now_ms()}};
        };
        if (request.method != "POST") return json_response(200, reading());
        if (!config.manual)
            return json_response(409, {{"error",
                                        "eddy runs on the system clock; start it with --clock manual to move "
                                        "time by hand"}});
        json body = json::parse(request.body, nullptr, false);
        std::int64_t target = clock.now_ms();
        if (body.is_object() && body.contains("advanceSeconds") && body["advanceSeconds"].is_number())
            target += static_cast<std::int64_t>(body["advanceSeconds"].get<double>() * 1000.0);
        else if (body.is_object() && body.contains("epochMillis") && body["epochMillis"].is_number_integer())
            target = body["epochMillis"].get<std::int64_t>();
        else
            return json_response(400, {{"error", "send {\"advanceSeconds\": n} or {\"epochMillis\": t}"}});
        if (target < clock.now_ms()) return json_response(400, {{"error", "the clock only moves forward"}});
        config.manual->set(eddy::clock::time_point(eddy::clock::duration(target)));
        log::info("clock moved to " + format_iso8601(target));
        return json_response(200, reading());
    }

    // `request` lives until the answer is returned (the session's, or server::handle's).
    asio::awaitable<wire_response> handle(const wire_request& request) {
        auto started = std::chrono::steady_clock::now();
        if (request.method == "OPTIONS" && request.has_header("origin") &&
            request.has_header("access-control-request-method"))
            co_return preflight(request);
        if ((request.method == "GET" || request.method == "HEAD") &&
            (request.path == "/_eddy/health" || request.path == "/_localstack/health")) {
            log::debug("health " + request.path);
            co_return health();
        }
        if (request.path == "/_eddy/clock") co_return clock_endpoint(request);
        if (request.path.rfind("/_eddy/", 0) == 0 && request.method == "GET")
            if (auto* endpoint = calls.find_endpoint(request.path)) {
                auto document = (*endpoint)(request.path);
                co_return document ? json_response(200, *document)
                                   : json_response(404, {{"error", "no such resource: " + request.path}});
            }
        request_context ctx;
        ctx.request_id = new_uuid();
        const std::string& request_id = ctx.request_id;
        wire_response response;
        auto r = protocol::route_request(request);
        try {
            if (r.error) throw *r.error;
            auto input = protocol::decode_request(r.op, request);
            ctx.account = account_of(r.scope);
            ctx.region = is_valid_region(r.scope.region) ? r.scope.region : std::string(default_region);
            ctx.service = std::string(r.op.service->id);
            ctx.operation = r.op.name;
            ctx.host = std::string(request.header("host"));
            ctx.path = request.path;
            ctx.clock = &clock;
            ctx.calls = &calls;
            ctx.wire = &request;
            calls.apply_input_hook(ctx, input);
            protocol::validate_input(r.op, input);
            auto* h = calls.find(r.op.service->id, r.op.name);
            if (!h) throw not_implemented(r.op.service->id, r.op.name);
            if (config.commits) config.commits->join();
            json output = co_await (*h)(ctx, std::move(input));
            protocol::encode_output(r.op, output, request_id, response);
            if (ctx.reply_payload) response.stream = std::move(ctx.reply_payload);
            if (ctx.reply_status) response.status = ctx.reply_status;
        } catch (const aws_error& e) {
            protocol::encode_error(r.op.service, r.op.model, r.op.protocol, e, request_id, response);
        } catch (const std::exception& e) {
            log::error("internal failure in " + r.op.name + ": " + e.what());
            protocol::encode_error(r.op.service, r.op.model, r.op.protocol, internal_failure(e.what()), request_id,
                                   response);
        }
        // Nothing is answered before what it wrote is committed (together with its neighbours' writes).
        if (config.commits) {
            std::exception_ptr lost;
            try {
                co_await config.commits->durable();
            } catch (const std::exception& e) {
                log::error(std::string("commit failed: ") + e.what());
                lost = std::current_exception();
            }
            if (lost)
                protocol::encode_error(r.op.service, r.op.model, r.op.protocol,
                                       internal_failure("eddy could not commit this request's changes"), request_id,
                                       response);
        }
        if (log::enabled(log::level::info)) {
            auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started)
                          .count();
            char took[32];
            std::snprintf(took, sizeof took, "%.2fms", static_cast<double>(us) / 1000.0);
            std::string svc = r.op.service ? std::string(r.op.service->id) : std::string("-");
            log::info(svc + "." + (r.op.name.empty() ? std::string("-") : r.op.name) + " " +
                      std::to_string(response.status) + " " + took);
        }
        co_return response;
    }
};

server::server(asio::io_context& io, server_config config, dispatcher& calls, const eddy::clock& clock)
    : impl_(std::make_unique<impl>(io, std::move(config), calls, clock)) {}

server::~server() = default;

namespace {

void bind_listen(tcp::acceptor& acceptor, const std::string& host, std::uint16_t port) {
    beast::error_code ec;
    auto address = asio::ip::make_address(host, ec);
    if (ec) throw std::runtime_error("--host " + host + " is not an IP address");
    tcp::endpoint endpoint(address, port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message() +
                                 (ec == asio::error::address_in_use ? " (is another eddy or LocalStack running? "
                                                                      "choose another with --port)"
                                                                    : ""));
}

}  // namespace

void server::start() {
    bind_listen(impl_->acceptor, impl_->config.host, impl_->config.port);
    asio::co_spawn(impl_->io, impl_->listen(impl_->acceptor), asio::detached);
}

void server::listen_also(const std::string& host) {
    auto& acceptor = impl_->more_acceptors.emplace_back(impl_->io);
    try {
        bind_listen(acceptor, host, port());
    } catch (...) {
        impl_->more_acceptors.pop_back();
        throw;
    }
    asio::co_spawn(impl_->io, impl_->listen(acceptor), asio::detached);
}

std::uint16_t server::port() const {
    return impl_->acceptor.local_endpoint().port();
}

void server::stop(std::function<void()> drained) {
    impl_->stopping = true;
    impl_->drained = std::move(drained);
    beast::error_code ec;
    impl_->acceptor.close(ec);
    for (auto& a : impl_->more_acceptors)
        a.close(ec);
    for (auto& s : impl_->sessions)
        if (!s.busy) s.socket->cancel(ec);
    impl_->check_drained();
}

asio::awaitable<wire_response> server::handle(const wire_request& request) {
    auto out = co_await impl_->handle(request);
    impl_->allow_origin(request, out);
    co_return out;
}

}  // namespace eddy::http
