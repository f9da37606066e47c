// A real OpenID Connect provider (node-oidc-provider) for the single sign-on
// tests: one static confidential client and a few test people. Its login and
// consent pages are the library's development interactions (any password).
//
//   PORT=8121 REDIRECT_URIS=http://localhost:8000/accounts/oidc/org-1/login/callback/ \
//     node provider.mjs
import Provider from 'oidc-provider';

const port = Number(process.env.PORT || 8121);
const issuer = `http://127.0.0.1:${port}`;
const redirectUris = (process.env.REDIRECT_URIS || '').split(',').filter(Boolean);

// The people this provider knows, by login. `email_verified` is what the IT
// service says about the address; the app must refuse an unverified one.
const ACCOUNTS = {
  'ana@uni.example': { given_name: 'Ana', family_name: 'Lima', email_verified: true },
  'new.person@uni.example': { given_name: 'Nina', family_name: 'Neu', email_verified: true },
  'unverified@uni.example': { given_name: 'Uma', family_name: 'Ungeprüft', email_verified: false },
  'mallory@elsewhere.example': { given_name: 'Mallory', family_name: 'Other', email_verified: true },
};

const configuration = {
  clients: [{
    client_id: 'partnerplan',
    client_secret: 'partnerplan-test-secret',
    redirect_uris: redirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['given_name', 'family_name', 'name'],
  },
  async findAccount(ctx, id) {
    const person = ACCOUNTS[id];
    if (!person) return undefined;
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: id,
          email_verified: person.email_verified,
          given_name: person.given_name,
          family_name: person.family_name,
          name: `${person.given_name} ${person.family_name}`,
        };
      },
    };
  },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  cookies: { keys: ['partnerplan-test-cookie-key'] },
};

const provider = new Provider(issuer, configuration);
provider.on('server_error', (ctx, error) => console.error('server_error', error));
const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening at ${issuer}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
