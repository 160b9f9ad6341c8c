package property

import "github.com/plumbsec/plumb/internal/finding"

var sensitiveRemediation = finding.Remediation{
	Summary: "Serialize responses through an explicit allow-list of fields per audience (a response schema or DTO), never the " +
		"database model. Password hashes, API keys and secrets never leave the server; other users' roles only reach admins.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `class PublicUser(Schema):          # marshmallow: only these fields are ever sent
    username = fields.Str()
    email = fields.Email()

@app.get("/api/v1/account")
@login_required
def account():
    return PublicUser().dump(g.user)   # not g.user.__dict__`},
		{Lang: "go", Code: `type userView struct { // the wire shape; the model keeps PasswordHash and APIKey
	Username string ` + "`json:\"username\"`" + `
	Email    string ` + "`json:\"email\"`" + `
}
writeJSON(w, userView{Username: u.Username, Email: u.Email})`},
		{Lang: "node-express", Code: `const toPublic = ({ username, email }) => ({ username, email }); // allow-list, not delete
app.get("/api/v1/account", requireAuth, (req, res) => res.json(toPublic(req.user)));`},
	},
	References: []string{
		"https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/",
		"https://cwe.mitre.org/data/definitions/213.html",
	},
}

var massRemediation = finding.Remediation{
	Summary: "Bind request bodies to an allow-list of writable fields per operation; role, is_admin and other privilege fields " +
		"are set only by administrators through their own operation. Mark them readOnly in the OpenAPI document and reject unknown fields.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `WRITABLE = {"email", "display_name"}

@app.patch("/api/v1/account")
@login_required
def update_account():
    data = request.get_json() or {}
    if extra := set(data) - WRITABLE:
        return {"error": f"not writable: {sorted(extra)}"}, 400
    for k in WRITABLE & set(data):
        setattr(g.user, k, data[k])
    db.session.commit()
    return PublicUser().dump(g.user)`},
		{Lang: "go", Code: `var in struct { // only the writable fields exist here
	Email *string ` + "`json:\"email\"`" + `
}
dec := json.NewDecoder(r.Body)
dec.DisallowUnknownFields() // role/is_admin → 400
if err := dec.Decode(&in); err != nil { http.Error(w, "bad request", 400); return }`},
		{Lang: "node-express", Code: `const { email } = req.body;          // pick, never Object.assign(user, req.body)
await User.update({ email }, { where: { id: req.user.id } });`},
	},
	References: []string{
		"https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/",
		"https://cheatsheetseries.owasp.org/cheatsheets/Mass_Assignment_Cheat_Sheet.html",
		"https://cwe.mitre.org/data/definitions/915.html",
	},
}
