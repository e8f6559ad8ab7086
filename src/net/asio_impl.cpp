// The one place Asio, Asio's SSL layer and Beast are compiled (BOOST_ASIO_SEPARATE_COMPILATION
// and BOOST_BEAST_SEPARATE_COMPILATION are set for every target in CMakeLists.txt), so the other
// files include only declarations and the build stays quick on small machines.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
