// A local OpenID provider for the single sign-on tests: oauth2-mock-server on a free loopback
// port, with a small control API under /_stand-in/ that lets a test choose what the next
// ID tokens say (email, email_verified, amr, aud, exp, ...) and read what the provider saw.
//
//   node provider.mjs --client-id ID --client-secret SECRET [--port 9400] [--email ADDRESS]
//
// --email makes every sign-in that person's (a verified address), for trying single sign-on
// by hand against `make run` (README.md, "Single sign-on on your machine").
//
// prints one line of JSON, {"issuer": "http://127.0.0.1:PORT"}, once it listens, and exits
// when its standard input closes (so a test run that dies leaves no provider behind).
import http from "node:http";
import { parseArgs } from "node:util";
import { OAuth2Issuer, OAuth2Service } from "oauth2-mock-server";

const { values: options } = parseArgs({
  options: {
    "client-id": { type: "string", default: "workspace" },
    "client-secret": { type: "string", default: "workspace-secret" },
    port: { type: "string", default: "0" },
    email: { type: "string" },
  },
});
const clientId = options["client-id"];
const clientSecret = options["client-secret"];

const issuer = new OAuth2Issuer(false);
await issuer.keys.generate("RS256");
const service = new OAuth2Service(issuer);

// What the next ID tokens say and how they are spoilt, until a test says otherwise.
// claims: merged into the ID token (a null value removes the claim);
// tamper: "payload" (changed after signing) or "alg-none" (unsigned).
const everyone = options.email ? { email: options.email, email_verified: true } : {};
let signIn = { claims: everyone, tamper: null };
const seen = [];
const redirectUris = new Map();

service.on("beforeAuthorizeRedirect", (redirect, req) => {
  const code = redirect.url.searchParams.get("code");
  if (code) redirectUris.set(code, req.query.redirect_uri);
  seen.push({ kind: "authorize", query: req.query });
});

service.on("beforeTokenSigning", (token) => {
  // The ID token is the one with an audience and no scope (the access token has a scope).
  if (!("aud" in token.payload) || "scope" in token.payload) return;
  for (const [name, value] of Object.entries(signIn.claims)) {
    if (value === null) delete token.payload[name];
    else token.payload[name] = value;
  }
});

function base64url(value) {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function spoil(idToken) {
  const [header, payload, signature] = idToken.split(".");
  if (signIn.tamper === "payload") {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    claims.email = "someone.else@example.org";
    return `${header}.${base64url(claims)}.${signature}`;
  }
  if (signIn.tamper === "alg-none") {
    const claims = JSON.parse(Buffer.from(header, "base64url").toString());
    return `${base64url({ ...claims, alg: "none" })}.${payload}.`;
  }
  return idToken;
}

service.on("beforeResponse", (response, req) => {
  const body = req.body ?? {};
  const basic = req.headers.authorization?.startsWith("Basic ")
    ? Buffer.from(req.headers.authorization.slice(6), "base64").toString().split(":")
    : null;
  const [givenId, givenSecret] = basic ?? [body.client_id, body.client_secret];
  const expectedRedirect = redirectUris.get(body.code);
  redirectUris.delete(body.code);
  seen.push({ kind: "token", client_id: givenId, redirect_uri: body.redirect_uri });
  if (givenId !== clientId || givenSecret !== clientSecret) {
    response.statusCode = 401;
    response.body = { error: "invalid_client" };
    return;
  }
  if (body.grant_type === "authorization_code" && body.redirect_uri !== expectedRedirect) {
    response.statusCode = 400;
    response.body = { error: "invalid_grant", error_description: "redirect_uri differs" };
    return;
  }
  if (response.body.id_token) response.body.id_token = spoil(response.body.id_token);
});

service.on("beforePostLogoutRedirect", (_redirect, req) => {
  seen.push({ kind: "end_session", query: req.query });
});

function control(req, res) {
  const reply = (status, value) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(value));
  };
  if (req.method === "GET" && req.url === "/_stand-in/seen") return reply(200, seen);
  if (req.method === "POST" && req.url === "/_stand-in/sign-in") {
    let text = "";
    req.on("data", (chunk) => (text += chunk));
    req.on("end", () => {
      const asked = JSON.parse(text || "{}");
      signIn = { claims: asked.claims ?? {}, tamper: asked.tamper ?? null };
      reply(200, signIn);
    });
    return;
  }
  return reply(404, { error: "unknown control address" });
}

const handler = service.requestHandler;
const server = http.createServer((req, res) => {
  if (req.url.startsWith("/_stand-in/")) control(req, res);
  else handler(req, res);
});
server.listen(Number(options.port), "127.0.0.1", () => {
  issuer.url = `http://127.0.0.1:${server.address().port}`;
  process.stdout.write(`${JSON.stringify({ issuer: issuer.url })}\n`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.stdin.on("end", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
