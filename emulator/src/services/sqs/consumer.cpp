#include "services/sqs/consumer.hpp"

namespace eddy::sqs {

namespace {
constexpr std::string_view service_id = "sqs";
}

consumer::consumer(dispatcher& calls, request_context scope, std::string queue_url)
    : calls_(calls), scope_(std::move(scope)), queue_url_(std::move(queue_url)) {}

boost::asio::awaitable<json> consumer::receive(int max, int wait_seconds, std::optional<int> visibility_timeout) {
    json input = {{"QueueUrl", queue_url_},
                  {"MaxNumberOfMessages", max},
                  {"WaitTimeSeconds", wait_seconds},
                  {"MessageSystemAttributeNames", {"All"}},
                  {"MessageAttributeNames", {"All"}}};
    if (visibility_timeout) input["VisibilityTimeout"] = *visibility_timeout;
    auto out = co_await calls_.call(scope_, service_id, "ReceiveMessage", std::move(input));
    co_return out.value("Messages", json::array());
}

boost::asio::awaitable<json> consumer::batch(const char* operation, std::vector<std::string> handles, bool release) {
    json result = {{"Successful", json::array()}, {"Failed", json::array()}};
    // batches of ten, the most SQS takes at once
    for (std::size_t start = 0; start < handles.size(); start += 10) {
        json entries = json::array();
        for (std::size_t i = start; i < handles.size() && i < start + 10; ++i) {
            json e = {{"Id", "m" + std::to_string(i)}, {"ReceiptHandle", handles[i]}};
            if (release) e["VisibilityTimeout"] = 0;
            entries.push_back(std::move(e));
        }
        json input = {{"QueueUrl", queue_url_}, {"Entries", std::move(entries)}};
        auto out = co_await calls_.call(scope_, service_id, operation, std::move(input));
        for (auto& s : out["Successful"])
            result["Successful"].push_back(s);
        for (auto& f : out["Failed"])
            result["Failed"].push_back(f);
    }
    co_return result;
}

boost::asio::awaitable<json> consumer::remove(const std::vector<std::string>& receipt_handles) {
    return batch("DeleteMessageBatch", receipt_handles, false);
}

boost::asio::awaitable<json> consumer::release(const std::vector<std::string>& receipt_handles) {
    return batch("ChangeMessageVisibilityBatch", receipt_handles, true);
}

}  // namespace eddy::sqs
