package property

// SensitiveKeys returns the test property-authorization.sensitive-fields
// applies to the value v under JSON key key. Value scanners
// (data-exposure.secret-in-response) skip such values so one leak is
// reported once.
func SensitiveKeys() (func(key string, v any) bool, error) {
	rs, err := keyRules()
	if err != nil {
		return nil, err
	}
	return func(key string, v any) bool { return classify(rs, key, v) != nil }, nil
}
