#include "applink/invocation.hpp"

namespace pe::applink {

namespace asio = boost::asio;

asio::awaitable<Result<Invocation>> InvocationVerifier::verify(
    net::HttpClient& client, const InvocationHeaders& headers) const {
  if (config_.mode == InvocationAuth::off) {
    co_return Error{Errc::unavailable,
                    "org actions are off: set HEROKU_APPLINK_API_URL (Heroku AppLink) or "
                    "PRICING_INVOCATION_AUTH=mesh|dev (docs/invocations.md)"};
  }
  auto invocation = read_invocation(headers, config_);
  if (!invocation || config_.mode != InvocationAuth::applink) co_return invocation;
  if (!applink_) {
    co_return Error{Errc::unavailable, "invocations cannot be verified: AppLink is not configured"};
  }
  auto checked = co_await applink_->authenticate_invocation(
      client, *invocation->request, invocation->request_id, config_.auth_timeout);
  if (!checked) co_return checked.error();
  co_return invocation;
}

}  // namespace pe::applink
