module example.com/payments/control-plane

go 1.22.0

require (
	github.com/cloudflare/circl v1.6.3
	golang.org/x/crypto v0.30.0
)

require golang.org/x/sys v0.28.0 // indirect
