package wire

// Notification is the envelope WeChat Pay POSTs to a notify_url; Resource is AEAD_AES_256_GCM-encrypted
// under the merchant's APIv3 key.
type Notification struct {
	ID           string               `json:"id"`
	CreateTime   string               `json:"create_time"`
	EventType    string               `json:"event_type"`
	ResourceType string               `json:"resource_type"`
	Resource     NotificationResource `json:"resource"`
	Summary      string               `json:"summary"`
}

type NotificationResource struct {
	OriginalType   string `json:"original_type"`
	Algorithm      string `json:"algorithm"`
	Ciphertext     string `json:"ciphertext"`
	AssociatedData string `json:"associated_data"`
	Nonce          string `json:"nonce"`
}
