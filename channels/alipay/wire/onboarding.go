package wire

// 直付通 二级商户进件 (ant.merchant.expand.indirect.*): the methods, the application's shapes, its states and the
// audit notifications (msgapi on the app gateway). The shapes follow the Java SDK's models
// (AntMerchantExpandIndirectZftCreateModel, ZftSubMerchantOrder); smartwalle has none of them.
const (
	MethodImageUpload   = "ant.merchant.expand.indirect.image.upload"
	MethodZftConsult    = "ant.merchant.expand.indirect.zft.consult"
	MethodZftCreate     = "ant.merchant.expand.indirect.zft.create"
	MethodZftOrderQuery = "ant.merchant.expand.indirect.zftorder.query"
	MsgZftPassed        = "ant.merchant.expand.indirect.zft.passed"
	MsgZftRejected      = "ant.merchant.expand.indirect.zft.rejected"
)

// Merchant types (merchant_type) and certificate types (cert_type, legal_cert_type).
const (
	MerchantEnterprise = "01" // 企业
	MerchantPerson     = "06" // 个人商户
	MerchantSoleTrader = "07" // 个体工商户
	CertIDCard         = "100"
	CertLicence        = "201" // 营业执照
)

// Services (service) a sub-merchant asks for: each needs its own fields (sites, business_address).
const (
	ServiceFaceToFace = "当面付"
	ServiceJSAPI      = "jsapi支付"
	ServiceApp        = "app支付"
	ServiceWap        = "wap支付"
	ServicePC         = "电脑支付"
	ServicePreAuth    = "预授权支付"
	ServiceWithhold   = "商户代扣"
	ServiceMiniApp    = "小程序支付"
	ServiceOrderCode  = "订单码支付"
	SiteWebsite       = "01"
	SiteApp           = "02"
	SiteMiniApp       = "06"
	SettleToAlipay    = "alipayAccount"
	SettleToCard      = "bankCard"
)

// Application states (zftorder.query status) and review states (fk_audit, kz_audit, sub_confirm).
const (
	OrderAuditing       = "031"
	OrderFinished       = "99"
	OrderFailed         = "-1"
	ReviewCreate        = "CREATE"
	ReviewSkip          = "SKIP"
	ReviewPass          = "PASS"
	ReviewReject        = "REJECT"
	ConfirmNotConfirmed = "NOT_CONFIRM"
	ConfirmFinished     = "FINISH"
	ConfirmFailed       = "FAIL"
)

// ZftCreate is zft.create's (and zft.consult's) biz_content: 证照进件.
type ZftCreate struct {
	ExternalID           string             `json:"external_id"`
	MerchantType         string             `json:"merchant_type"`
	Name                 string             `json:"name"`
	AliasName            string             `json:"alias_name"`
	CertType             string             `json:"cert_type"`
	CertNo               string             `json:"cert_no"`
	CertName             string             `json:"cert_name,omitempty"` // 个体工商户: the licence's name
	CertImage            string             `json:"cert_image"`
	CertImageBack        string             `json:"cert_image_back,omitempty"`
	LegalName            string             `json:"legal_name,omitempty"`
	LegalCertNo          string             `json:"legal_cert_no,omitempty"`
	LegalCertType        string             `json:"legal_cert_type,omitempty"`
	LegalCertFrontImage  string             `json:"legal_cert_front_image,omitempty"`
	LegalCertBackImage   string             `json:"legal_cert_back_image,omitempty"`
	LicenseAuthLetter    string             `json:"license_auth_letter_image,omitempty"`
	MCC                  string             `json:"mcc"`
	Service              []string           `json:"service"`
	ContactInfos         []ContactInfo      `json:"contact_infos"`
	BindingAlipayLogonID string             `json:"binding_alipay_logon_id"`
	AlipayLogonID        string             `json:"alipay_logon_id,omitempty"`
	BizCards             []SettleCard       `json:"biz_cards,omitempty"`
	DefaultSettleRule    *DefaultSettleRule `json:"default_settle_rule,omitempty"`
	BusinessAddress      *AddressInfo       `json:"business_address,omitempty"`
	Sites                []SiteInfo         `json:"sites,omitempty"`
	ServicePhone         string             `json:"service_phone,omitempty"`
	SignTimeWithISV      string             `json:"sign_time_with_isv,omitempty"`
	InfoSourceOpenID     string             `json:"info_source_open_id,omitempty"`
}

// ContactInfo is one contact person (name and mobile are required).
type ContactInfo struct {
	Name     string `json:"name"`
	Mobile   string `json:"mobile"`
	Phone    string `json:"phone,omitempty"`
	Email    string `json:"email,omitempty"`
	IDCardNo string `json:"id_card_no,omitempty"`
	Type     string `json:"type,omitempty"` // LEGAL_PERSON | CONTROLLER | AGENT | OTHER
	Tag      string `json:"tag,omitempty"`
}

// SettleCard is a settlement bank card (one only; a 个人商户 cannot settle to a card).
type SettleCard struct {
	AccountHolderName   string `json:"account_holder_name"`
	AccountNo           string `json:"account_no"`
	AccountInstProvince string `json:"account_inst_province"`
	AccountInstCity     string `json:"account_inst_city"`
	AccountBranchName   string `json:"account_branch_name"`
	AccountType         string `json:"account_type"` // DC 借记卡 | CC 信用卡 | ...
	UsageType           string `json:"usage_type"`   // 01 对公 | 02 对私
	AccountInstName     string `json:"account_inst_name"`
	AccountInstID       string `json:"account_inst_id,omitempty"`
	BankCode            string `json:"bank_code,omitempty"`
}

// DefaultSettleRule is where a trade with trans_in_type=defaultSettle settles.
type DefaultSettleRule struct {
	DefaultSettleType   string `json:"default_settle_type"` // alipayAccount | bankCard
	DefaultSettleTarget string `json:"default_settle_target"`
}

// AddressInfo is the business address 当面付 requires.
type AddressInfo struct {
	ProvinceCode string `json:"province_code"`
	CityCode     string `json:"city_code"`
	DistrictCode string `json:"district_code"`
	Address      string `json:"address"`
}

// SiteInfo is a website, app or mini-app the merchant sells through.
type SiteInfo struct {
	SiteType  string `json:"site_type"`
	SiteURL   string `json:"site_url,omitempty"`
	SiteName  string `json:"site_name,omitempty"`
	TinyAppID string `json:"tiny_app_id,omitempty"`
}

// ZftCreateResponse is zft.create's answer: the application's id (申请单id).
type ZftCreateResponse struct {
	Status
	OrderID string `json:"order_id"`
}

// ZftConsultResponse is zft.consult's answer: whether the account and the risk review will audit by hand.
type ZftConsultResponse struct {
	Status
	OrderID      string `json:"order_id,omitempty"`
	AccountAudit bool   `json:"account_audit"`
	RiskAudit    bool   `json:"risk_audit"`
}

// ImageUploadResponse is image.upload's answer: the id to name in *_image fields.
type ImageUploadResponse struct {
	Status
	ImageID string `json:"image_id"`
}

// ZftOrderQuery is zftorder.query's biz_content: order_id wins when both are given.
type ZftOrderQuery struct {
	OrderID    string `json:"order_id,omitempty"`
	ExternalID string `json:"external_id,omitempty"`
}

// ZftOrderQueryResponse lists the applications found, newest last.
type ZftOrderQueryResponse struct {
	Status
	Orders []ZftSubMerchantOrder `json:"orders"`
}

// ZftSubMerchantOrder is one application's progress; smid is complete only with status 99.
type ZftSubMerchantOrder struct {
	OrderID              string `json:"order_id"`
	ExternalID           string `json:"external_id"`
	MerchantName         string `json:"merchant_name"`
	ApplyType            string `json:"apply_type"` // ZHIFUTONG_CREATE | ...
	ApplyTime            string `json:"apply_time"`
	Status               string `json:"status"`
	Smid                 string `json:"smid,omitempty"`
	FkAudit              string `json:"fk_audit,omitempty"`
	FkAuditMemo          string `json:"fk_audit_memo,omitempty"`
	KzAudit              string `json:"kz_audit,omitempty"`
	KzAuditMemo          string `json:"kz_audit_memo,omitempty"`
	Reason               string `json:"reason,omitempty"`
	SubConfirm           string `json:"sub_confirm,omitempty"`
	CardAliasNo          string `json:"card_alias_no,omitempty"`
	AppPreAuth           bool   `json:"app_pre_auth,omitempty"`
	FacePreAuth          bool   `json:"face_pre_auth,omitempty"`
	IsFaceLimit          bool   `json:"is_face_limit,omitempty"`
	SubSignQrCodeURL     string `json:"sub_sign_qr_code_url,omitempty"`
	SubSignShortChainURL string `json:"sub_sign_short_chain_url,omitempty"`
}

// ZftAudited is the biz_content of the zft.passed (smid and card set) and zft.rejected (reason set) messages.
type ZftAudited struct {
	OrderID     string `json:"order_id"`
	ExternalID  string `json:"external_id"`
	Smid        string `json:"smid,omitempty"`
	CardAliasNo string `json:"card_alias_no,omitempty"`
	Memo        string `json:"memo,omitempty"`
	Reason      string `json:"reason,omitempty"`
}
