package wechatpay

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"io"
	"testing"
	"testing/iotest"
)

func TestGCMStream(t *testing.T) {
	key, nonce := bytes.Repeat([]byte{7}, 32), []byte("ABCDEFGHIJKL")
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	for _, n := range []int{0, 1, 199, 85000} {
		plain := bytes.Repeat([]byte("a line of a bill\n"), 5000)[:n]
		for _, wrap := range []func(io.Reader) io.Reader{func(r io.Reader) io.Reader { return r },
			iotest.OneByteReader, iotest.HalfReader, iotest.DataErrReader} {
			r, err := gcmStream(key, nonce, wrap(bytes.NewReader(gcm.Seal(nil, nonce, plain, nil))))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(got, plain) {
				t.Fatalf("%d: %d bytes %v: %.40q", n, len(got), err, got)
			}
		}
	}
}
