package identity

import "github.com/rapport-crm/rapport/services/gateway/internal/secretbox"

// DataKeyLen is the length of the gateway's data key (GATEWAY_DATA_KEY).
const DataKeyLen = secretbox.KeyLen
