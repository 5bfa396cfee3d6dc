# Test guests: small purpose-written kernels (see guests/README.md).
