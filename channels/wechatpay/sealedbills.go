package wechatpay

import (
	"cmp"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"

	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
)

// openSealedBill asks for an encrypted bill (the sub-merchants' fund-flow bills) and streams its parts' plain
// text, joined in bill_sequence order; sum, called after the stream is read, checks each part's SHA1.
//
// Each part is AES-256-GCM under its own key (RSA-OAEP for our API key, opened with the SDK's DecryptOAEP). GCM
// checks its tag only over the whole ciphertext, which would hold the file in memory; so a part is deciphered as
// it streams (GCM's counter mode, from its nonce), and its integrity is the SHA1 of its plain text that the
// signed answer gives, checked at its end as for every other bill.
func (c *Client) openSealedBill(ctx context.Context, path string, q url.Values) (io.ReadCloser, func() error, error) {
	var b wire.EncryptedBillResponse
	if err := c.do(ctx, http.MethodGet, path, q, nil, &b); err != nil {
		return nil, nil, err
	}
	if len(b.DownloadBillList) == 0 || len(b.DownloadBillList) != b.DownloadBillCount {
		return nil, nil, invalid("download_bill_list", fmt.Sprintf("%d parts listed, download_bill_count %d",
			len(b.DownloadBillList), b.DownloadBillCount))
	}
	parts := slices.SortedFunc(slices.Values(b.DownloadBillList), func(x, y wire.EncryptedBill) int {
		return cmp.Compare(x.BillSequence, y.BillSequence)
	})
	p := &sealedParts{ctx: ctx, c: c, parts: parts}
	return p, p.sum, nil
}

// sealedParts reads the parts one after the other, each downloaded when the one before it ends.
type sealedParts struct {
	ctx    context.Context
	c      *Client
	parts  []wire.EncryptedBill // not opened yet
	cur    io.ReadCloser
	curSum func() error
	sumErr error
}

func (p *sealedParts) Read(b []byte) (int, error) {
	for {
		if p.cur == nil {
			if len(p.parts) == 0 {
				return 0, io.EOF
			}
			body, sum, err := p.c.openSealedPart(p.ctx, p.parts[0])
			if err != nil {
				return 0, err
			}
			p.parts, p.cur, p.curSum = p.parts[1:], body, sum
		}
		n, err := p.cur.Read(b)
		if err == io.EOF {
			p.cur.Close()
			if e := p.curSum(); e != nil && p.sumErr == nil {
				p.sumErr = e
			}
			p.cur = nil
			if n == 0 {
				continue
			}
			err = nil
		}
		return n, err
	}
}

func (p *sealedParts) Close() error {
	if p.cur != nil {
		return p.cur.Close()
	}
	return nil
}

func (p *sealedParts) sum() error {
	if p.cur != nil || len(p.parts) > 0 {
		return downloadFailed(fmt.Errorf("the bill was not read to its end"))
	}
	return p.sumErr
}

// openSealedPart opens one part's key, downloads the part, and streams its plain text through its SHA1 (asked for
// gzipped, it is gunzipped after deciphering).
func (c *Client) openSealedPart(ctx context.Context, part wire.EncryptedBill) (io.ReadCloser, func() error, error) {
	key, err := utils.DecryptOAEP(part.EncryptKey, c.cfg.MerchantPrivateKey)
	if err != nil {
		return nil, nil, invalid("encrypt_key", "not opened by our API key: "+err.Error())
	}
	unseal := func(r io.Reader) (io.Reader, error) { return gcmStream([]byte(key), []byte(part.Nonce), r) }
	return c.openFile(ctx, channels.BillFile{HashType: part.HashType, HashValue: part.HashValue,
		DownloadURL: part.DownloadURL}, true, unseal)
}

// gcmTagSize is the length of the tag that ends an AES-GCM ciphertext.
const gcmTagSize = 16

// gcmStream deciphers an AES-GCM ciphertext (12-byte nonce) as it streams: GCM's counter mode starts at the
// nonce followed by the counter 2, and the tag at the end is held back. It does not check the tag (see
// openSealedBill). The counter wraps differently from GCM's after 64 GB, past the channel's 16 GB parts.
func gcmStream(key, nonce []byte, r io.Reader) (io.Reader, error) {
	if len(nonce) != 12 {
		return nil, invalid("nonce", fmt.Sprintf("a 12-byte nonce, got %d bytes", len(nonce)))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, invalid("encrypt_key", "not an AES key: "+err.Error())
	}
	iv := make([]byte, aes.BlockSize)
	copy(iv, nonce)
	iv[aes.BlockSize-1] = 2
	return cipher.StreamReader{S: cipher.NewCTR(block, iv), R: &withoutTail{r: r, buf: make([]byte, 32<<10)}}, nil
}

// withoutTail reads a stream but its last gcmTagSize bytes.
type withoutTail struct {
	r   io.Reader
	buf []byte
	n   int // bytes held in buf
	eof bool
}

func (w *withoutTail) Read(p []byte) (int, error) {
	for {
		if w.n > gcmTagSize {
			k := copy(p, w.buf[:w.n-gcmTagSize])
			w.n = copy(w.buf, w.buf[k:w.n])
			return k, nil
		}
		if w.eof {
			if w.n < gcmTagSize {
				return 0, downloadFailed(fmt.Errorf("a sealed bill ends before its tag"))
			}
			return 0, io.EOF
		}
		m, err := w.r.Read(w.buf[w.n:])
		w.n += m
		switch {
		case err == io.EOF:
			w.eof = true
		case err != nil:
			return 0, err
		}
	}
}
