package property

// SensitiveKey reports whether property-authorization.sensitive-fields reports the value
// v under JSON key key. Value scanners (data-exposure.secret-in-response)
// skip such values so one leak is reported once.
func SensitiveKey(key string, v any) bool { return classify(rules, key, v) != nil }
