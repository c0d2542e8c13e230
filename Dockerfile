# The splitpay binary (worker, api, migrate, ...) as a small non-root image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/splitpay ./cmd/splitpay

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/splitpay /usr/local/bin/splitpay
ENTRYPOINT ["/usr/local/bin/splitpay"]
