import type { SecretRule } from '../rule.js';
import { ci, anyOf, PLACEHOLDER_ALLOW } from './helpers.js';

/**
 * Passwords that are not provider tokens but are recognisable by the syntax around them:
 * credentials in URLs, connection strings, package-manager config files, HTTP headers, command
 * lines and Kubernetes secret manifests.
 */

/** Words that are documentation placeholders, not passwords, when they are the whole value. */
const PLACEHOLDER_PASSWORDS =
  '^(?:[pP]ass(?:word|wd)?|PASS(?:WORD|WD)?|[pP]wd|[sS]ecret|SECRET|[cC]hangeme|CHANGEME|[tT]oken|TOKEN|[tT]est|[yY]{3,}|[xX]{3,}|\\*+|\\.+|[pP]assword\\d?|<[^>]*>|\\[[^\\]]*\\]|\\{[^}]*\\}|%[A-Za-z_]+%|%s|\\$.*|.*\\$\\{.*|.*\\{\\{.*)$';

/** `mypassword`, `Password1`, `secret123`: a password that is the word itself plus decoration. */
const WORDY_PASSWORD = '^[A-Za-z_-]{0,6}(?:pass(?:word|wd)?|secret|pwd)[0-9!_-]{0,4}$';

/** Password characters inside a URL's userinfo (RFC 3986 allows sub-delims and %-escapes). */
const URL_PASSWORD = `[^\\s:@/?#'"\`<>\\\\]{4,256}`;
const URL_USER = `[^\\s:@/?#'"\`<>\\\\{}$]{1,128}`;

export const connectionRules: SecretRule[] = [
  {
    id: 'database-connection-url',
    title: 'Database / broker URL with an embedded password',
    description:
      'A connection URL of a database or message broker with a password in its userinfo: `postgres://user:pass@host`, `mysql://`, `mongodb(+srv)://`, `redis://`, `amqp(s)://`, `mssql://`, `clickhouse://`, `neo4j://`, `nats://`, `ldap(s)://`…',
    regex: `(?<![A-Za-z0-9+.-])(?:jdbc:)?(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\\+srv)?|redis|rediss|amqps?|mssql|sqlserver|cockroachdb|couchdb|clickhouse|neo4j(?:\\+s)?|bolt|nats|kafka|ldaps?|cassandra|influxdb|oracle|db2|snowflake|memcached|elasticsearch|opensearch)://(${URL_USER})?:(?!\\1@)(${URL_PASSWORD})@[A-Za-z0-9._-]{1,253}`,
    secretGroup: 2,
    keywords: ['://'],
    entropy: 1.5,
    allow: { regexes: [PLACEHOLDER_PASSWORDS, WORDY_PASSWORD, '[xX*]{6,}'] },
    severity: 'critical',
    confidence: 'high',
    references: [
      'https://cwe.mitre.org/data/definitions/798.html',
      'https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS',
    ],
    truePositives: [
      'DATABASE_URL=postgres://app:COsw4yT1V87WlRXOHZjs@db.internal:5432/app',
      'MONGO_URI="mongodb+srv://svc:qplUG8KPi3zM4PfC@cluster0.abcde.mongodb.net/prod?retryWrites=true"',
      'jdbc:mysql://admin:CXSjau4RpF2J@mysql.internal:3306/app',
      'redis://:6ndow0bjswMVAfzHWOphhNcF@cache.internal:6379/0',
    ],
    falsePositives: [
      'postgres://user:password@localhost:5432/app',
      'postgres://${DB_USER}:${DB_PASSWORD}@localhost/app',
      'mongodb://localhost:27017/app',
      'mysql://user:<password>@host/db',
    ],
  },
  {
    id: 'url-basic-auth',
    title: 'HTTP/FTP/Git URL with embedded credentials',
    description:
      'An `http(s)://`, `ftp(s)://`, `sftp://`, `git://`, `ssh://` or `smtp(s)://` URL whose userinfo carries a password (`scheme://user:password@host`).',
    regex: `(?<![A-Za-z0-9+.-])(?:https?|ftps?|sftp|git|ssh|svn|smtps?|imaps?|pop3s?|wss?|s3)://(${URL_USER}):(?!\\1@)(${URL_PASSWORD})@[A-Za-z0-9._-]{1,253}`,
    secretGroup: 2,
    keywords: ['://'],
    entropy: 1.5,
    allow: { regexes: [PLACEHOLDER_PASSWORDS, WORDY_PASSWORD, '[xX*]{6,}', '^[0-9]{1,5}$'] },
    severity: 'high',
    references: [
      'https://www.rfc-editor.org/rfc/rfc3986#section-3.2.1',
      'https://cwe.mitre.org/data/definitions/798.html',
    ],
    truePositives: [
      'git clone https://deploy:K2mcxY9bTvrmKrHArOTI@git.acme.io/platform/api.git',
      'const API = "https://apiuser:np9eIT0Mxpyo@api.acme.io/v2";',
      'ftp://backup:lOEIrDm27M@files.acme.io/nightly',
    ],
    falsePositives: [
      'https://user:password@example.com',
      'https://${USER}:${PASS}@example.com',
      'http://localhost:8080/@scope/pkg',
      "'https://url:8000';@something",
    ],
  },
  {
    id: 'jdbc-password',
    title: 'JDBC URL with a password parameter',
    description:
      'A JDBC connection URL carrying `password=` (or `pwd=`) as a parameter: `jdbc:sqlserver://…;password=…`, `jdbc:postgresql://…?password=…`.',
    regex: `jdbc:[a-z0-9]{2,20}:[^\\s'"<>]{0,300}?[;?&:](?:${ci('password')}|${ci('pwd')})=([^;&\\s'"<>]{3,128})`,
    keywords: ['jdbc:'],
    entropy: 1.5,
    allow: { regexes: [PLACEHOLDER_PASSWORDS] },
    severity: 'critical',
    references: ['https://learn.microsoft.com/en-us/sql/connect/jdbc/building-the-connection-url'],
    truePositives: [
      'spring.datasource.url=jdbc:sqlserver://db.internal:1433;databaseName=app;user=svc;password=Zra9iR41APESQ1',
      'jdbc:postgresql://db:5432/app?user=svc&password=fMEhEC95CAiffA',
    ],
    falsePositives: [
      'jdbc:postgresql://db:5432/app?user=svc&password=${DB_PASSWORD}',
      'jdbc:sqlserver://db:1433;databaseName=app;integratedSecurity=true',
    ],
  },
  {
    id: 'connection-string-password',
    title: 'ADO.NET / ODBC connection string password',
    description:
      'A `Password=`/`Pwd=` in an ADO.NET, ODBC, OLE DB or StackExchange.Redis connection string (`Server=…;User ID=…;Password=…`, `host:6380,password=…,ssl=True`).',
    regex: `(?:${anyOf('server', 'data source', 'host', 'address', 'addr', 'network address', 'datasource', 'dsn', 'driver')}[\\t ]{0,2}=[^;'"\\n]{1,200};(?:[^'"\\n;]{1,200};){0,12}?[\\t ]{0,4}(?:${ci('password')}|${ci('pwd')})[\\t ]{0,2}=[\\t ]{0,2}|(?<![A-Za-z0-9.-])[A-Za-z0-9.-]{1,200}:[0-9]{2,5},(?:[^'"\\n,]{1,100},){0,6}?${ci('password')}=)([^;,'"\\n]{3,128})`,
    keywords: ['password', 'pwd'],
    entropy: 1.5,
    allow: { regexes: [PLACEHOLDER_PASSWORDS, '^\\s*$'] },
    severity: 'critical',
    references: ['https://learn.microsoft.com/en-us/dotnet/framework/data/adonet/connection-string-syntax'],
    truePositives: [
      '"DefaultConnection": "Server=sql.internal;Database=App;User ID=svc;Password=FvPl89wwBGs3vr63;TrustServerCertificate=True"',
      'Driver={ODBC Driver 18 for SQL Server};Server=tcp:acme.database.windows.net,1433;Uid=svc;Pwd=GWT7H4dbj4h262;',
      'acme.redis.cache.windows.net:6380,password=az0C8z3jbC2fHjiKTDOrvwltESc+z0DLEg/9QzhjbI6h,ssl=True,abortConnect=False',
    ],
    falsePositives: [
      'Server=sql.internal;Database=App;User ID=svc;Password=$(DB_PASSWORD);',
      'Server=sql.internal;Database=App;Integrated Security=true;',
    ],
  },
  {
    id: 'npmrc-auth-token',
    title: '.npmrc registry auth token / password',
    description:
      'A registry credential in `.npmrc`: `//registry.host/path/:_authToken=…`, `:_auth=…` or `:_password=…`.',
    regex: `//[^\\s:'"]{1,200}/:_(?:authToken|auth|password)[\\t ]{0,2}=[\\t ]{0,2}"?([^\\s"'$]{8,512})`,
    keywords: [':_authtoken', ':_auth', ':_password'],
    entropy: 3,
    allow: { regexes: PLACEHOLDER_ALLOW },
    severity: 'critical',
    confidence: 'high',
    references: ['https://docs.npmjs.com/cli/v10/configuring-npm/npmrc#auth-related-configuration'],
    truePositives: [
      '//registry.npmjs.org/:_authToken=63386079-aaf1-4dc3-9ebd-813d887878d4',
      '//npm.pkg.github.com/:_authToken=ghp_mJILIQ8N1K9nrdb1nwyGDyMtN4GHNQWfYGdT',
      '//nexus.acme.io/repository/npm/:_auth=t/D20e+LrJTMnDHufTylNwhPszXZ7p7c',
    ],
    falsePositives: [
      '//registry.npmjs.org/:_authToken=${NPM_TOKEN}',
      '_authToken=ab065274-227e-4022-8377-996fd6db7811',
      'registry.npmjs.org:_authToken=922fde3f-aca4-41c1-a1b1-659145911da2',
    ],
  },
  {
    id: 'yarnrc-auth-token',
    title: '.yarnrc.yml npmAuthToken',
    description: 'A registry token in Yarn Berry configuration (`npmAuthToken:` / `npmAuthIdent:`).',
    regex: `${anyOf('npmAuthToken', 'npmAuthIdent')}["']?[\\t ]{0,2}:[\\t ]{0,2}["']?([A-Za-z0-9_.+/=:@-]{12,512})`,
    keywords: ['npmauthtoken', 'npmauthident'],
    entropy: 3,
    allow: { regexes: PLACEHOLDER_ALLOW },
    severity: 'critical',
    references: ['https://yarnpkg.com/configuration/yarnrc#npmAuthToken'],
    truePositives: [
      'npmAuthToken: "npm_ZwwP1k5BYBJmRdEFp79SPBl2p8d1ZM5LJaNv"',
      '    npmAuthToken: e810a92d-e73a-4197-80a5-5cfb678d3ef3',
    ],
    falsePositives: ['npmAuthToken: "${NPM_TOKEN}"', 'npmAuthToken: ${NPM_TOKEN-}'],
  },
  {
    id: 'pypirc-password',
    title: '.pypirc password',
    description: 'A password in a `.pypirc` index section (`[pypi]`, `[testpypi]`, …).',
    regex: `\\[(?:pypi|testpypi|pypitest|distutils)\\][^\\[]{0,500}?\\n[\\t ]*password[\\t ]*[:=][\\t ]*([^\\s]{6,512})`,
    span: 1024,
    keywords: ['[pypi]', '[testpypi]', '[pypitest]'],
    entropy: 2.5,
    allow: { regexes: [PLACEHOLDER_PASSWORDS] },
    severity: 'critical',
    references: ['https://packaging.python.org/en/latest/specifications/pypirc/'],
    truePositives: ['[pypi]\nusername = acme\npassword = N2PlLrWeS3dYSpN0'],
    falsePositives: ['[pypi]\nusername = __token__\npassword = <your token>', '[pypi]\nusername = acme'],
  },
  {
    id: 'nuget-config-password',
    title: 'nuget.config cleartext password',
    description:
      'A package-source password stored as `ClearTextPassword` (or `Password`) in a `nuget.config` `<packageSourceCredentials>` entry.',
    regex: `<add[\\t ]+key=["'](?:ClearTextPassword|Password)["'][\\t ]+value=["']([^"']{4,256})["']`,
    keywords: ['cleartextpassword', 'key="password"', "key='password'"],
    entropy: 2,
    allow: { regexes: [PLACEHOLDER_PASSWORDS, '^%[^%]+%$', '[xX*]{6,}'] },
    severity: 'critical',
    references: [
      'https://learn.microsoft.com/en-us/nuget/reference/nuget-config-file#packagesourcecredentials',
    ],
    equivalents: { gitleaks: ['nuget-config-password'] },
    truePositives: ['<add key="ClearTextPassword" value="Ubgz7xU24NLCqp" />'],
    falsePositives: [
      '<add key="ClearTextPassword" value="%FEED_PASSWORD%" />',
      '<add key="ClearTextPassword" value="abc" />',
      '<add key="Username" value="acme" />',
    ],
  },
  {
    id: 'netrc-password',
    title: '.netrc password',
    description: 'A `password` entry of a `.netrc` machine block (`machine host login user password …`).',
    regex: `machine[\\t ]+[^\\s]{1,253}(?:\\s+(?:login|account)[\\t ]+[^\\s]{1,128}){0,2}\\s+password[\\t ]+([^\\s]{4,256})`,
    span: 512,
    keywords: ['machine'],
    entropy: 2,
    allow: { regexes: [PLACEHOLDER_PASSWORDS] },
    severity: 'critical',
    references: ['https://www.gnu.org/software/inetutils/manual/html_node/The-_002enetrc-file.html'],
    truePositives: [
      'machine api.heroku.com\n  login ops@acme.io\n  password g4zznQPiIhRoLVcGSUiljcZ7bG1SZPaj',
    ],
    falsePositives: ['machine github.com login acme password $GITHUB_TOKEN', 'machine learning model'],
  },
  {
    id: 'authorization-basic',
    title: 'HTTP Basic authorization header',
    description:
      'An `Authorization: Basic <base64 user:password>` header value in code, configs or command lines.',
    regex: `${ci('authorization')}["']?[\\t ]{0,4}[:=,][\\t ]{0,4}["']?${ci('basic')}[\\t ]{1,4}([A-Za-z0-9+/]{8,1024}={0,2})(?![A-Za-z0-9+/=._-])`,
    keywords: ['basic'],
    entropy: 2.5,
    allow: { regexes: PLACEHOLDER_ALLOW },
    severity: 'high',
    references: ['https://www.rfc-editor.org/rfc/rfc7617'],
    equivalents: { gitleaks: ['curl-auth-header'] },
    truePositives: [
      'curl -H "Authorization: Basic MO63GKW3bNw9oCrpDdjVNXqQtoZy=" https://api.acme.io',
      "headers = {'Authorization': 'Basic Xy7xKAn07/CrgOgmIOPK2dvgaaZT4o9Zmf7Fweu4'}",
    ],
    falsePositives: ['-H "Authorization: Basic ..."', '-H "Authorization: Basic $CREDS"'],
  },
  {
    id: 'authorization-bearer',
    title: 'HTTP Bearer / token authorization header',
    description:
      'A literal credential in an `Authorization:` header (`Bearer …`, `Token …`, `Api-Token …`, or a bare value), as written in curl commands, HTTP client code and request fixtures.',
    regex: `${ci('authorization')}["']?[\\t ]{0,4}[:=,][\\t ]{0,4}["']?(?:(?:${ci('bearer')}|${ci('token')}|${ci('api-token')}|${ci('apikey')}|${ci('oauth')}|${ci('jwt')}|${ci('sso-key')})[\\t ]{1,4})?([A-Za-z0-9._~+/:@=-]{16,4096})(?![A-Za-z0-9._~+/:@=-])`,
    keywords: ['authorization'],
    entropy: 3,
    allow: { regexes: [...PLACEHOLDER_ALLOW, '^[^0-9]+$'] },
    severity: 'high',
    references: ['https://www.rfc-editor.org/rfc/rfc6750#section-2.1'],
    equivalents: { gitleaks: ['curl-auth-header'] },
    truePositives: [
      'curl -H "Authorization: Bearer 4lpdUgyJqBSDYkQpDG90DxYNOls0kDVaEACPcjqt" https://api.acme.io/v1/me',
      "'Authorization': 'Token 1b0d787391ccd77626955c5cff494cb0404d703b'",
    ],
    falsePositives: [
      '-H "Authorization: Bearer $API_KEY"',
      '-H "Authorization: Bearer <token>"',
      'Authorization: Bearer XXXXXXXXXXXXXXXX',
    ],
  },
  {
    id: 'http-api-key-header',
    title: 'API key in an HTTP header',
    description:
      'A literal credential in an API-key style request header (`X-API-Key:`, `apikey:`, `X-Auth-Token:`, `Api-Token:`, `Token:`…) of a curl command or HTTP request.',
    regex: `(?:-H|--header)[\\t ]{1,4}["'](?:[A-Za-z0-9]{1,20}-){0,3}(?:${ci('api-key')}|${ci('apikey')}|${ci('api-token')}|${ci('auth-token')}|${ci('access-token')}|${ci('token')}|${ci('secret')})[\\t ]{0,2}:[\\t ]{0,4}([A-Za-z0-9._~+/=-]{8,2048})["']`,
    keywords: ['-h "', "-h '", '--header'],
    entropy: 3,
    allow: { regexes: [...PLACEHOLDER_ALLOW, '^[^0-9]+$'] },
    severity: 'high',
    references: ['https://cwe.mitre.org/data/definitions/798.html'],
    truePositives: [
      'curl -X GET -H "X-API-Key: AqrdafBZ5NN1AqEe5942rHlQvbyYiofH" https://api.acme.io',
      "curl -H 'apikey: c993a389-fff4-431a-9ed8-1097ac2b56fc' https://api.acme.io",
    ],
    falsePositives: [
      'curl -H "X-API-Key: $API_KEY" https://api.acme.io',
      'curl -H "Content-Type: application/json"',
    ],
  },
  {
    id: 'curl-basic-auth',
    title: 'curl command with a user:password',
    description:
      'A `curl -u user:password` / `--user user:password` command line with a literal password (line continuations followed).',
    regex: `${ci('curl')}(?:[^\\n]|\\\\\\r?\\n){0,500}?[\\t ](?:-u|--user)(?:[\\t ]{1,4}|=)["']?[^\\s:'"$]{0,128}["']?:["']?([^\\s'"$][^\\s'"]{3,127})["']?(?=[\\s;|&]|$)`,
    span: 1024,
    keywords: ['curl'],
    entropy: 2,
    allow: { regexes: [PLACEHOLDER_PASSWORDS, '^(?:[uU]ser(?:name)?|[tT]est|yyy|pass\\d*)$'] },
    severity: 'high',
    references: ['https://curl.se/docs/manpage.html#-u'],
    equivalents: { gitleaks: ['curl-auth-user'] },
    truePositives: [
      'curl -u deploy:X85aTIwVcOv9KHlm https://api.acme.io/v1/deploy',
      'curl -s --user "ops:GdqS7EFAU3kU" https://jenkins.acme.io/job/x/build',
    ],
    falsePositives: [
      'curl -u "$USER:$PASS" https://api.acme.io',
      'curl -u username:token',
      'curl --user neo4j:[PASSWORD] http://localhost:7474',
    ],
  },
  {
    id: 'cli-password-argument',
    title: 'Password passed on a command line',
    description:
      'A literal password given to `docker login -p`, `sshpass -p`, `mysql -p…` or `psql` via `PGPASSWORD=` on a command line.',
    regex: `(?:${ci('docker')}[\\t ]+login[^\\n]{0,200}?[\\t ](?:-p|--password)(?:[\\t ]{1,4}|=)|${ci('sshpass')}[\\t ]+-p[\\t ]?|${ci('mysql')}(?:dump|admin)?[\\t ][^\\n]{0,200}?[\\t ]-p(?=[^\\s-])|PGPASSWORD=)["']?([^\\s'"$]{4,128})`,
    keywords: ['login', 'sshpass', 'mysql', 'pgpassword'],
    entropy: 2,
    allow: { regexes: [PLACEHOLDER_PASSWORDS] },
    severity: 'high',
    references: ['https://cwe.mitre.org/data/definitions/214.html'],
    truePositives: [
      'docker login registry.acme.io -u ci -p 7u4QBVyH36yKQsal4BlX',
      'sshpass -p KuM6MVy9z4xD ssh ops@10.0.0.5',
      'mysql -h db -u root -pa5fCh8mF8TcM app',
      'PGPASSWORD=02jdy1dDq3gXbE psql -h db -U app',
    ],
    falsePositives: [
      'docker login -u ci -p $REGISTRY_PASSWORD',
      'mysql -u root -p app',
      'sshpass -p "$PASS" ssh host',
    ],
  },
  {
    id: 'kubernetes-secret-data',
    title: 'Kubernetes Secret manifest with data',
    description:
      'A Kubernetes `kind: Secret` manifest whose `data:` holds base64 values (the first value is reported). Secrets belong in a secret store or sealed/encrypted form, not in the repository.',
    regex: `(?=(?:^|\\n)[\\t ]*data:)(?:(?<=${ci('kind')}:[\\t ]*["']?[Ss]ecret(?![A-Za-z])[\\s\\S]{0,1500}?)|(?=[\\s\\S]{0,1500}?\\n[\\t ]*${ci('kind')}:[\\t ]*["']?[Ss]ecret["']?[\\t ]*(?:\\r?\\n|$)))(?:^|\\n)[\\t ]*data:[\\t ]*\\r?\\n(?:[\\t ]*#[^\\n]*\\r?\\n)*[\\t ]+[A-Za-z0-9_.-]{1,253}:[\\t ]*(?:[|>][-+]?[\\t ]*\\r?\\n[\\t ]+)?["']?([A-Za-z0-9+/]{12,65536}={0,2})["']?[\\t ]*(?:\\r?\\n|$)`,
    span: 4096,
    keywords: ['secret'],
    entropy: 2.5,
    severity: 'high',
    references: ['https://kubernetes.io/docs/concepts/configuration/secret/'],
    equivalents: { gitleaks: ['kubernetes-secret-yaml'] },
    truePositives: [
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: W86fb41dSKC0rp8o0TNWnvSJ\n',
      'apiVersion: v1\ndata:\n  token: QqA9tcy1CjMdeR1VSFnkKESJXmNXw8G4cywhY+pX\nkind: Secret\nmetadata:\n  name: api\n',
    ],
    falsePositives: [
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: {{ .Values.password }}\n',
      'apiVersion: v1\nkind: ConfigMap\ndata:\n  settings: I52JgpCPkEqoLjxWRvOBCtFN\n',
      'kind: ExternalSecret\nspec:\n  data:\n    - secretKey: x\n',
    ],
  },
];
