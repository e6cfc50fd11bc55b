# Liaison in a container: a static binary (CGO_ENABLED=0) on distroless
# static, run as distroless's non-root user (65532), the database at
# /data/liaison.db on a volume.
#
#   docker build -t liaison \
#     --build-arg VERSION="$(git describe --tags --always --dirty)" \
#     --build-arg COMMIT="$(git rev-parse HEAD)" .
#   docker run -d --name liaison -p 8080:8080 -v liaison-data:/data liaison
#
# The first admin, with the server stopped (it holds the database file):
#   docker run --rm -it -v liaison-data:/data liaison user add alice --admin --db /data/liaison.db
# then manage accounts and collections through the running server:
#   docker exec liaison liaison user list --server http://127.0.0.1:8080 --api-key KEY
#
# Plain HTTP on 0.0.0.0 (--insecure-http): inside a container the server
# must listen on every address to be reachable, and the usual place for TLS
# is the proxy or ingress in front, which should then send
# Strict-Transport-Security; add --public-url https://... (the URL clients
# use) and --trusted-proxy ADDR to the command. To serve HTTPS from the
# container itself, mount the certificate and key and run
#   serve --db /data/liaison.db --listen 0.0.0.0:8443 --tls-cert /certs/tls.crt --tls-key /certs/tls.key
# with the health check
#   --health-cmd 'liaison healthcheck --url https://127.0.0.1:8443 --insecure'
# (`docker kill -s HUP liaison` reloads the certificate).
#
# A bind mount for /data must be writable by uid 65532. docker stop waits
# 10 seconds before SIGKILL, hence --drain-timeout 8s.
#
# cmd/liaison/dockerfile_test.go checks this file's references: the Go
# version against go.mod, the paths, and the serve and healthcheck
# arguments against the flags the binary has.

ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
ARG COMMIT=""
# .dockerignore leaves .git out, so the go command records no VCS
# information: VERSION and COMMIT stamp it instead.
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" \
      -o /out/liaison ./cmd/liaison \
 && mkdir /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/liaison /usr/local/bin/liaison
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/liaison", "healthcheck", "--url", "http://127.0.0.1:8080/healthz", "--timeout", "4s"]
ENTRYPOINT ["/usr/local/bin/liaison"]
CMD ["serve", "--db", "/data/liaison.db", "--listen", "0.0.0.0:8080", "--insecure-http", "--drain-timeout", "8s"]
