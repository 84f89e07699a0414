/** The few server-rendered pages (the web application comes later). No inline script or style: the CSP forbids them. */

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} — ROR</title></head>
<body><main>
${body}
</main></body>
</html>
`;
}

export function homePage(who: string): string {
  return page(
    'Répertoire Opérationnel des Ressources',
    `<h1>ROR — Répertoire Opérationnel des Ressources</h1>
<p>Description de l'offre de santé (structures, établissements, offres opérationnelles, lieux, capacités).</p>
<p>Connecté en tant que ${escapeHtml(who)}.</p>
<p>API FHIR R4 : <a href="/fhir/metadata">/fhir/metadata</a></p>`,
  );
}

/** The sign-in form (posted as `application/x-www-form-urlencoded` to `/auth/login`), and the OIDC button when configured. */
export function loginPage(options: { oidcLabel?: string | undefined; error?: string | undefined; email?: string | undefined }): string {
  const error = options.error ? `<p role="alert">${escapeHtml(options.error)}</p>\n` : '';
  const oidc = options.oidcLabel
    ? `\n<p>ou</p>\n<p><a href="/auth/oidc/login">Se connecter avec ${escapeHtml(options.oidcLabel)}</a></p>`
    : '';
  return page(
    'Connexion',
    `<h1>Connexion au ROR</h1>
${error}<form method="post" action="/auth/login">
<p><label for="email">Adresse électronique</label><br>
<input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(options.email ?? '')}"></p>
<p><label for="password">Mot de passe</label><br>
<input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Se connecter</button></p>
</form>${oidc}`,
  );
}

/** A refusal or failure met in the browser (OIDC callback), with the way back to the sign-in page. */
export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>\n<p><a href="/connexion">Retour à la connexion</a></p>`);
}
