package channels

// BillFile is where a day's bill can be downloaded, and the hash its content must have (Alipay gives none: its
// zip's CRC-32s stand in).
type BillFile struct {
	HashType    string // SHA1
	HashValue   string
	DownloadURL string
}
