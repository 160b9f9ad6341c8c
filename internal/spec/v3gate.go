package spec

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The direct OpenAPI 3 path builds the model straight from the decoded tree.
// It is taken only for parts of a document that kin-openapi would decode
// without surprises; the gate below is deliberately conservative: anything it
// does not recognise as plain sends the document down the kin-openapi path,
// so the two paths never disagree. What it checks, per object kind: every
// known field has the JSON type kin-openapi's struct field accepts, no key
// matches a field only case-insensitively (encoding/json would take it), no
// boolean schemas, no $ref siblings that kin-openapi merges, and every $ref is
// "#/components/<section>/<name>" of the section its position expects.

// fkind is what a field holds, as kin-openapi decodes it.
type fkind uint8

const (
	kAny fkind = iota // any JSON value; numbers must fit a float64
	kStr
	kBool
	kNum
	kUint
	kStrs
	kAnys
	kSchema
	kSchemas
	kSchemaMap
	kSchemaOrBool
	kTypes
	kBound
	kParams
	kBody
	kResponses
	kContent
	kExamples
	kEncodings
	kHeaders
	kServers
	kServerVars
	kSecurity
	kOp
	kExtDocs
	kXML
	kDiscriminator
	kStrMap
	kStrMapStrs
	kReject
)

type fields map[string]fkind

var (
	pathItemFields = fields{"$ref": kReject, "summary": kStr, "description": kStr,
		"get": kOp, "put": kOp, "post": kOp, "delete": kOp, "options": kOp, "head": kOp, "patch": kOp, "trace": kOp,
		"connect": kReject, "query": kReject, "additionalOperations": kReject, "servers": kServers, "parameters": kParams}
	opFields = fields{"tags": kStrs, "summary": kStr, "description": kStr, "operationId": kStr, "parameters": kParams,
		"requestBody": kBody, "responses": kResponses, "callbacks": kReject, "deprecated": kBool, "security": kSecurity,
		"servers": kServers, "externalDocs": kExtDocs}
	paramFields = fields{"$ref": kReject, "name": kStr, "in": kStr, "description": kStr, "style": kStr, "explode": kBool,
		"allowEmptyValue": kBool, "allowReserved": kBool, "deprecated": kBool, "required": kBool,
		"schema": kSchema, "example": kAny, "examples": kExamples, "content": kContent}
	bodyFields     = fields{"$ref": kReject, "description": kStr, "required": kBool, "content": kContent}
	responseFields = fields{"$ref": kReject, "description": kStr, "headers": kHeaders, "content": kContent, "links": kReject}
	mediaFields    = fields{"schema": kSchema, "itemSchema": kSchema, "example": kAny, "examples": kExamples, "encoding": kEncodings}
	encodingFields = fields{"contentType": kStr, "headers": kHeaders, "style": kStr, "explode": kBool, "allowReserved": kBool}
	exampleFields  = fields{"$ref": kReject, "summary": kStr, "description": kStr, "value": kAny, "externalValue": kStr}
	serverFields   = fields{"url": kStr, "description": kStr, "variables": kServerVars}
	serverVarField = fields{"enum": kStrs, "default": kStr, "description": kStr}
	extDocsFields  = fields{"description": kStr, "url": kStr}
	xmlFields      = fields{"name": kStr, "namespace": kStr, "prefix": kStr, "attribute": kBool, "wrapped": kBool}
	discrimFields  = fields{"propertyName": kStr, "mapping": kStrMap}
	schemaFields   = fields{"$ref": kReject, "oneOf": kSchemas, "anyOf": kSchemas, "allOf": kSchemas, "not": kSchema,
		"type": kTypes, "title": kStr, "format": kStr, "description": kStr, "enum": kAnys, "default": kAny,
		"example": kAny, "externalDocs": kExtDocs, "uniqueItems": kBool, "exclusiveMinimum": kBound,
		"exclusiveMaximum": kBound, "nullable": kBool, "readOnly": kBool, "writeOnly": kBool,
		"allowEmptyValue": kBool, "deprecated": kBool, "xml": kXML, "minimum": kNum, "maximum": kNum,
		"multipleOf": kNum, "minLength": kUint, "maxLength": kUint, "pattern": kStr, "minItems": kUint,
		"maxItems": kUint, "items": kSchema, "required": kStrs, "properties": kSchemaMap, "minProperties": kUint,
		"maxProperties": kUint, "additionalProperties": kSchemaOrBool, "discriminator": kDiscriminator,
		"const": kAny, "examples": kAnys, "prefixItems": kSchemas, "contains": kSchema, "minContains": kUint,
		"maxContains": kUint, "patternProperties": kSchemaMap, "dependentSchemas": kSchemaMap,
		"propertyNames": kSchema, "unevaluatedItems": kSchemaOrBool, "unevaluatedProperties": kSchemaOrBool,
		"if": kSchema, "then": kSchema, "else": kSchema, "dependentRequired": kStrMapStrs, "$defs": kSchemaMap,
		"$schema": kStr, "$comment": kStr, "$id": kStr, "$anchor": kStr, "$dynamicRef": kStr,
		"$dynamicAnchor": kStr, "contentMediaType": kStr, "contentEncoding": kStr, "contentSchema": kSchema}
)

// lowerFields maps each table to its field names in lower case, for the
// case-insensitive match check.
var lowerFields = map[*fields]map[string]bool{}

func init() {
	for _, f := range []*fields{&pathItemFields, &opFields, &paramFields, &bodyFields, &responseFields, &mediaFields,
		&encodingFields, &exampleFields, &serverFields, &serverVarField, &extDocsFields, &xmlFields, &discrimFields, &schemaFields} {
		l := map[string]bool{}
		for k := range *f {
			l[strings.ToLower(k)] = true
		}
		lowerFields[f] = l
	}
}

// plainObject reports whether v is an object of kind f that decodes plainly.
// ref names the components section a $ref here must point into ("" when a
// $ref is not plain here); desc allows summary/description ref siblings.
func plainObject(f *fields, v any, ref string, desc bool) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	if r, has := m["$ref"]; has {
		return ref != "" && plainRef(m, r, ref, desc)
	}
	for k, val := range m {
		if kind, known := (*f)[k]; known {
			if !plainValue(kind, val) {
				return false
			}
			continue
		}
		if foldsToField(f, k) || !plainAny(val) {
			return false
		}
	}
	return true
}

func foldsToField(f *fields, k string) bool {
	for i := 0; i < len(k); i++ {
		if k[i] >= utf8.RuneSelf {
			for name := range *f {
				if strings.EqualFold(k, name) {
					return true
				}
			}
			return false
		}
	}
	return lowerFields[f][strings.ToLower(k)]
}

func plainRef(m map[string]any, r any, section string, desc bool) bool {
	ref, ok := r.(string)
	if !ok {
		return false
	}
	name, ok := strings.CutPrefix(ref, "#/components/"+section+"/")
	if !ok || name == "" || strings.ContainsAny(name, "/~%") {
		return false
	}
	for k, v := range m {
		switch {
		case k == "$ref":
		case strings.HasPrefix(k, "x-"):
			if !plainAny(v) {
				return false
			}
		case desc && (k == "summary" || k == "description"):
			if _, ok := v.(string); !ok {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func plainValue(k fkind, v any) bool {
	if v == nil {
		return k != kReject
	}
	switch k {
	case kAny:
		return plainAny(v)
	case kStr:
		_, ok := v.(string)
		return ok
	case kBool:
		_, ok := v.(bool)
		return ok
	case kNum:
		return isFloat(v)
	case kUint:
		return isUint(v)
	case kStrs:
		return plainScalars(v, func(e any) bool { _, ok := e.(string); return ok || e == nil })
	case kAnys:
		return plainScalars(v, plainAny)
	case kSchema:
		return plainObject(&schemaFields, v, "schemas", false)
	case kSchemas:
		return plainList(v, func(e any) bool { return plainValue(kSchema, e) && e != nil })
	case kSchemaMap:
		return plainMap(v, func(e any) bool { return plainValue(kSchema, e) && e != nil })
	case kSchemaOrBool:
		_, isBool := v.(bool)
		return isBool || plainValue(kSchema, v)
	case kTypes:
		if _, ok := v.(string); ok {
			return true
		}
		return plainValue(kStrs, v)
	case kBound:
		_, isBool := v.(bool)
		return isBool || isFloat(v)
	}
	return plainValue2(k, v)
}

func plainValue2(k fkind, v any) bool {
	switch k {
	case kParams:
		return plainList(v, func(e any) bool { return plainObject(&paramFields, e, "parameters", true) })
	case kBody:
		return plainObject(&bodyFields, v, "requestBodies", true)
	case kResponses:
		return plainMap(v, func(e any) bool { return plainObject(&responseFields, e, "responses", true) })
	case kContent:
		return plainMap(v, func(e any) bool { return plainObject(&mediaFields, e, "", false) })
	case kExamples:
		return plainMap(v, func(e any) bool { return plainObject(&exampleFields, e, "", false) })
	case kEncodings:
		return plainMap(v, func(e any) bool { return plainObject(&encodingFields, e, "", false) })
	case kHeaders:
		return plainMap(v, func(e any) bool { return plainObject(&paramFields, e, "headers", true) })
	case kServers:
		return plainList(v, func(e any) bool { return plainObject(&serverFields, e, "", false) })
	case kServerVars:
		return plainMap(v, func(e any) bool { return plainObject(&serverVarField, e, "", false) })
	case kSecurity:
		return plainList(v, func(e any) bool { return plainMap(e, func(s any) bool { return plainValue(kStrs, s) }) })
	case kOp:
		return plainObject(&opFields, v, "", false)
	case kExtDocs:
		return plainObject(&extDocsFields, v, "", false)
	case kXML:
		return plainObject(&xmlFields, v, "", false)
	case kDiscriminator:
		return plainObject(&discrimFields, v, "", false)
	case kStrMap:
		return plainMap(v, func(e any) bool { _, ok := e.(string); return ok })
	case kStrMapStrs:
		return plainMap(v, func(e any) bool { return plainValue(kStrs, e) })
	}
	return false
}

// plainList and plainMap accept null (an empty value to encoding/json) but
// not null members, which kin-openapi keeps as nil pointers.
func plainList(v any, elem func(any) bool) bool {
	return plainScalars(v, func(e any) bool { return e != nil && elem(e) })
}

// plainScalars is plainList for lists of values, where null decodes to the
// zero value.
func plainScalars(v any, elem func(any) bool) bool {
	if v == nil {
		return true
	}
	a, ok := v.([]any)
	if !ok {
		return false
	}
	for _, e := range a {
		if !elem(e) {
			return false
		}
	}
	return true
}

func plainMap(v any, elem func(any) bool) bool {
	if v == nil {
		return true
	}
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	for _, e := range m {
		if e == nil || !elem(e) {
			return false
		}
	}
	return true
}

// plainAny reports whether encoding/json can decode v's encoding into any:
// every number must fit a float64.
func plainAny(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		for _, e := range t {
			if !plainAny(e) {
				return false
			}
		}
	case []any:
		for _, e := range t {
			if !plainAny(e) {
				return false
			}
		}
	case json.Number:
		return isFloat(t)
	}
	return true
}

func isFloat(v any) bool {
	switch t := v.(type) {
	case json.Number:
		_, err := strconv.ParseFloat(string(t), 64)
		return err == nil
	case float64, int:
		return true
	}
	return false
}

// isUint reports whether v's encoding decodes into a uint64.
func isUint(v any) bool {
	switch t := v.(type) {
	case json.Number:
		_, err := strconv.ParseUint(string(t), 10, 64)
		return err == nil
	case float64:
		return t >= 0 && t < 1e15 && t == float64(uint64(t))
	case int:
		return t >= 0
	}
	return false
}

// plainComponents reports whether the component entries the direct path
// reads are plain.
func plainComponents(tree map[string]any) bool {
	comps, _ := tree["components"].(map[string]any)
	checks := []struct {
		section string
		f       *fields
		desc    bool
	}{
		{"schemas", &schemaFields, false}, {"parameters", &paramFields, true}, {"headers", &paramFields, true},
		{"requestBodies", &bodyFields, true}, {"responses", &responseFields, true},
	}
	for _, c := range checks {
		entries, _ := comps[c.section].(map[string]any)
		for _, e := range entries {
			if !plainObject(c.f, e, c.section, c.desc) {
				return false
			}
		}
	}
	return true
}
