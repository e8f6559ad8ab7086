# The container Heroku builds from heroku.yml (`heroku stack:set container`, `git push heroku
# main`), usable on any container host. docs/deploy.md explains it and says what is tested.
#
# build:   Debian 12, the project's own setup script (Debian packages only) and the release
#          preset; only the binary is built, then installed stripped (cmake/install.cmake).
# runtime: Debian 12 slim with the shared libraries the binary loads and the CA certificates, the
#          binary, the example config; a non-root user.

FROM debian:bookworm AS build
WORKDIR /src
COPY scripts/setup scripts/setup
RUN scripts/setup --build && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake --preset release -DPE_BUILD_BENCH=OFF \
 && cmake --build --preset release --target pricing-engine \
 && cmake --install build/release --component server --prefix /opt/pricing-engine --strip

FROM debian:bookworm-slim AS runtime
# The Debian packages that own what `ldd pricing-engine` lists, no more and no less:
# tests/packaging/deploy_test.cpp compares this list with scripts/runtime-packages on the release
# build and fails on any difference.
ARG RUNTIME_LIBRARIES="libabsl20220623 libboost-json1.81.0 libboost-url1.81.0 libc-ares2 libc6 \
    libfmt9 libgcc-s1 libgrpc++1.51 libgrpc29 libhiredis0.14 libprotobuf32 libre2-9 libspdlog1.10 \
    libsqlite3-0 libssl3 libstdc++6 zlib1g"
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates ${RUNTIME_LIBRARIES} \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin pricing
COPY --from=build /opt/pricing-engine/bin/pricing-engine /usr/local/bin/pricing-engine
COPY --from=build /opt/pricing-engine/share/doc/pricing-engine/examples/config /app/config
# A library the list above misses fails the image build here rather than the dyno at boot.
RUN ldd /usr/local/bin/pricing-engine && ! ldd /usr/local/bin/pricing-engine | grep -q 'not found'
WORKDIR /app
USER pricing
# Heroku sets PORT for web dynos; elsewhere web listens on 8080 (docs/config.md).
EXPOSE 8080
# heroku.yml names each process's command; this is `docker run`'s default.
CMD ["pricing-engine", "web"]
