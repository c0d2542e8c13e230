package wxsim

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/splitpay/splitpay/channels/wechatpay/wire"
)

// subFundFlowBill answers the sub-merchants' fund-flow bill: every sub-merchant's (account_type ALL) or one's
// (sub_mchid, and BASIC, OPERATION, FEES or DEPOSIT, of which only BASIC moves here). The file is cut at line
// ends into parts of at most SetBillPartSize bytes (one part unless set, as below the channel's 16 GB), and each
// part, gzipped when asked, is sealed with AES-256-GCM under a fresh key that the answer carries encrypted with
// RSA-OAEP for the platform's API key, with the part's nonce and no associated data; each part's hash is its
// plain text's SHA1.
func (s *Sim) subFundFlowBill(p *Platform, r *http.Request, _ []byte) (int, any, *apiError) {
	q := r.URL.Query()
	sub, account := q.Get("sub_mchid"), q.Get("account_type")
	one := r.URL.Path == wire.PathOneSubFundFlow
	switch {
	case one && s.subs[sub] == nil:
		return 0, nil, paramError("sub_mchid", "a sub-merchant of the platform")
	case one && account != wire.AccountBasic && account != wire.AccountOperation && account != wire.AccountFees &&
		account != wire.AccountDeposit:
		return 0, nil, paramError("account_type", "BASIC, OPERATION, FEES or DEPOSIT")
	case !one && account != wire.AccountAll:
		return 0, nil, paramError("account_type", "ALL")
	case q.Get("algorithm") == wire.BillAlgorithmSM4:
		return 0, nil, paramError("algorithm", "SM4_GCM needs a 国密 (SM2) merchant key; this platform's is RSA")
	case q.Get("algorithm") != wire.BillAlgorithmAES:
		return 0, nil, paramError("algorithm", "AEAD_AES_256_GCM or SM4_GCM")
	}
	if e := s.billMade(q); e != nil {
		return 0, nil, e
	}
	if one {
		account = wire.AccountAll // the one sub-merchant's BASIC account is its only one that moves
	}
	file, rows := s.fundFlowBill(q.Get("bill_date"), account, true, sub)
	if rows == 0 {
		return 0, nil, fail(http.StatusBadRequest, wire.CodeNoStatementExist, "该日期无账单")
	}
	var out wire.EncryptedBillResponse
	for i, part := range cutLines(file, s.billPartSize) {
		sealed, key, nonce, err := sealBill(compressed(q, []byte(part)))
		var encKey string
		if err == nil {
			encKey, err = utils.EncryptOAEPWithPublicKey(string(key), p.PublicKey)
		}
		if err != nil {
			return 0, nil, fail(http.StatusInternalServerError, wire.CodeSystemError, "sealing the bill: %v", err)
		}
		if s.corruptSealed && len(sealed) > 20 {
			sealed[len(sealed)-20] ^= 1 // a byte flipped in transit, before the tag: the plain text changes
		}
		sum := sha1.Sum([]byte(part))
		out.DownloadBillList = append(out.DownloadBillList, wire.EncryptedBill{BillSequence: i + 1,
			DownloadURL: s.billURL(r, sealed), EncryptKey: encKey, Nonce: nonce, HashType: "SHA1",
			HashValue: hex.EncodeToString(sum[:])})
	}
	out.DownloadBillCount = len(out.DownloadBillList)
	return 0, out, nil
}

// sealBill encrypts a part under a fresh AES-256 key and a 12-character nonce: the ciphertext with its tag.
func sealBill(plain []byte) (sealed, key []byte, nonce string, err error) {
	key, random := make([]byte, 32), make([]byte, 6)
	if _, err = rand.Read(key); err == nil {
		_, err = rand.Read(random)
	}
	if err != nil {
		return nil, nil, "", err
	}
	nonce = strings.ToUpper(hex.EncodeToString(random)) // 12 characters, as WeChat Pay's nonces
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, nil, "", err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, nil, "", err
	}
	return gcm.Seal(nil, []byte(nonce), plain, nil), key, nonce, nil
}

// cutLines cuts a file into parts of at most size bytes, at line ends (a line longer than size is a part of its
// own); size 0 is one part.
func cutLines(file string, size int) []string {
	if size <= 0 || len(file) <= size {
		return []string{file}
	}
	var parts []string
	for len(file) > size {
		end := strings.LastIndex(file[:size], "\n") + 1
		if end == 0 {
			end = strings.Index(file, "\n") + 1
		}
		if end == 0 {
			break
		}
		parts, file = append(parts, file[:end]), file[end:]
	}
	if file != "" {
		parts = append(parts, file)
	}
	return parts
}

// CorruptSealedBills flips a byte of each sealed bill part it serves from now on (a download damaged in
// transit), for tests that the reader refuses it.
func (s *Sim) CorruptSealedBills(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.corruptSealed = on
}

// SetBillPartSize cuts the sub-merchants' fund-flow bills into parts of at most size bytes (0: one part), as
// the channel does past about 16 GB: for tests of joining the parts.
func (s *Sim) SetBillPartSize(size int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.billPartSize = size
}
