# syntax=docker/dockerfile:1
#
# autotask-mcp: MCP streamable HTTP server for Kaseya Autotask PSA.
#
# Stage 1 builds a static musl binary (release, locked dependencies); stage 2 is `scratch`
# with only that binary, the CA bundle and a passwd entry for the non-root user. The image
# serves HTTP on 0.0.0.0:3000 and refuses to start without AUTOTASK_HTTP_TOKEN (16+ chars).
#
#   docker build -t autotask-mcp .
#   docker run --rm -p 127.0.0.1:3000:3000 --env-file .env autotask-mcp
#   docker run --rm -p 127.0.0.1:3000:3000 -e AUTOTASK_HTTP_TOKEN=$(openssl rand -hex 32) \
#       autotask-mcp --sandbox        # zero-credential demo tenant
#
# scripts/docker-build-check.sh exercises these steps without a Docker engine.

ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-bookworm AS builder
ARG TARGET=x86_64-unknown-linux-musl
# The builder stage is discarded; pinning Debian package versions would only break rebuilds.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends musl-tools ca-certificates \
    && rm -rf /var/lib/apt/lists/*
RUN rustup target add "${TARGET}"
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --target "${TARGET}" --bin autotask-mcp \
    && install -D -m 0755 "target/${TARGET}/release/autotask-mcp" /out/autotask-mcp
# scratch has no user database: give uid/gid 65532 a name so tools that look it up work.
RUN printf 'autotask-mcp:x:65532:65532:autotask-mcp:/nonexistent:/sbin/nologin\n' > /out/passwd \
    && printf 'autotask-mcp:x:65532:\n' > /out/group

FROM scratch AS runtime
COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=builder /out/passwd /etc/passwd
COPY --from=builder /out/group /etc/group
COPY --from=builder /out/autotask-mcp /autotask-mcp
USER 65532:65532
ENV AUTOTASK_TRANSPORT=http \
    AUTOTASK_HTTP_HOST=0.0.0.0 \
    PORT=3000 \
    AUTOTASK_LOG_FORMAT=json \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/autotask-mcp", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/autotask-mcp"]
