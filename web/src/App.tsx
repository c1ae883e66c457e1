/** The dashboard shell: skip link, header with navigation, the routed page in <main>. */
import { useEffect, useState, type ReactNode } from 'react';
import { Loading } from './components/ui.js';
import { ArtifactsPage } from './pages/Artifacts.js';
import { AuditPage } from './pages/Audit.js';
import { DeploymentsPage } from './pages/Deployments.js';
import { FindingPage } from './pages/Finding.js';
import { LoginPage } from './pages/Login.js';
import { OverviewPage } from './pages/Overview.js';
import { ProjectFindingsPage } from './pages/ProjectFindings.js';
import { ProjectsPage } from './pages/Projects.js';
import { SettingsPage } from './pages/Settings.js';
import { Link, matchPath, RouterProvider, useRouter } from './router.js';
import { SessionProvider, useSession } from './session.js';
import type { Permission } from './types.js';

interface NavItem {
  to: string;
  label: string;
  /** The item is shown only with this permission. */
  needs?: Permission;
}

const NAV: NavItem[] = [
  { to: '/', label: 'Overview' },
  { to: '/projects', label: 'Projects' },
  { to: '/artifacts', label: 'Artifacts' },
  { to: '/deployments', label: 'Deployments' },
  { to: '/audit', label: 'Audit', needs: 'audit:read' },
  { to: '/settings', label: 'Settings' },
];

function isCurrent(item: NavItem, path: string): boolean {
  if (item.to === '/') return path === '/';
  if (item.to === '/projects') return path.startsWith('/projects') || path.startsWith('/findings');
  return path.startsWith(item.to);
}

function Routes(): ReactNode {
  const { location } = useRouter();
  const path = location.path;
  let m: Record<string, string> | undefined;
  if (path === '/' || path === '') return <OverviewPage />;
  if (matchPath('/projects', path)) return <ProjectsPage />;
  if ((m = matchPath('/projects/:projectId', path))) return <ProjectFindingsPage projectId={m.projectId!} />;
  if ((m = matchPath('/findings/:findingId', path))) return <FindingPage findingId={m.findingId!} />;
  if (matchPath('/artifacts', path)) return <ArtifactsPage />;
  if ((m = matchPath('/artifacts/:projectId/:artifactId', path)))
    return <ArtifactsPage projectId={m.projectId!} artifactId={m.artifactId!} />;
  if (matchPath('/deployments', path)) return <DeploymentsPage />;
  if (matchPath('/audit', path)) return <AuditPage />;
  if (matchPath('/settings', path)) return <SettingsPage />;
  return (
    <>
      <h1>Page not found</h1>
      <p>
        Nothing lives at <code>{path}</code>. <Link to="/">Go to the overview</Link>.
      </p>
    </>
  );
}

function Shell() {
  const { state, logout, can } = useSession();
  const { location } = useRouter();
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [location.path]);

  if (state.status === 'loading')
    return (
      <main id="main" className="login">
        <Loading what="Loading Rampart" />
      </main>
    );
  if (state.status === 'signed-out') return <LoginPage mfaPending={false} />;
  if (state.status === 'mfa-pending') return <LoginPage mfaPending />;
  const me = state.me;
  const items = NAV.filter((i) => !i.needs || can(i.needs));
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          Rampart
        </div>
        <button
          type="button"
          className="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="primary-nav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          Menu
        </button>
        <nav id="primary-nav" aria-label="Main" className={menuOpen ? 'open' : undefined}>
          <ul>
            {items.map((item) => (
              <li key={item.to}>
                <Link to={item.to} current={isCurrent(item, location.path)}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="user">
          <span className="user-id">
            <span className="visually-hidden">Signed in as </span>
            {me.email} <span className="role">({me.role})</span>
          </span>
          <button type="button" onClick={() => void logout()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Routes />
      </main>
      <footer className="footer">
        <p>
          Rampart control plane · API at /api/v1 · <a href="/openapi.json">OpenAPI</a>
        </p>
      </footer>
    </>
  );
}

export function App() {
  return (
    <RouterProvider>
      <SessionProvider>
        <Shell />
      </SessionProvider>
    </RouterProvider>
  );
}
