/**
 * Shared types of the image analyzers: pure functions over the files of an image's merged root
 * filesystem (built by the image reader), producing the dependency model's `Component`s.
 */
import type { Component } from '../../deps/model.js';

/**
 * The image's root filesystem as the analyzers see it: the list of regular files (paths inside the
 * image, with or without a leading `/`) and a reader for one of them. `read` returns undefined for a
 * missing or unreadable file; `mode` (optional) gives the file's permission bits, used to pick
 * executables for the Go build-info analyzer.
 */
export interface ImageFiles {
  readonly paths: readonly string[];
  read(path: string): Buffer | undefined;
  mode?(path: string): number | undefined;
}

/** Which package database or metadata file recorded a component. */
export type Packager = 'dpkg' | 'apk' | 'rpm' | 'node' | 'python' | 'jar' | 'go';

/** The operating system of an image, from `/etc/os-release` (or `/usr/lib/os-release`). */
export interface OsInfo {
  /** os-release `ID`, lower case: `debian`, `ubuntu`, `alpine`, `almalinux`… */
  id: string;
  /** os-release `VERSION_ID`: `12`, `22.04`, `3.20.1`, `9.4`. */
  versionId?: string;
  /** os-release `VERSION_CODENAME` (or the codename in `VERSION`): `bookworm`, `jammy`. */
  codename?: string;
  prettyName?: string;
  /** The most precise release known: `/etc/debian_version` (`12.15`), `/etc/alpine-release` (`3.19.4`), else VERSION_ID. */
  release?: string;
  /** OSV ecosystem string with the release suffix (`Debian:12`, `Ubuntu:22.04:LTS`, `Alpine:v3.20`, `AlmaLinux:9`). */
  osvEcosystem?: string;
  /** The file it was read from, inside the image. */
  path: string;
}

/** What to look a component up with in the advisory database (OSV ecosystem string, name, version). */
export interface AdvisoryKey {
  ecosystem: string;
  name: string;
  version: string;
}

/** A component found in an image. `location.path` is the file inside the image that recorded it. */
export interface ImageComponent extends Component {
  packager: Packager;
  /** Package architecture (`amd64`, `all`, `x86_64`, `noarch`) for OS packages. */
  arch?: string;
  /** Source package for OS packages (dpkg `Source:`, apk `o:`, rpm `SOURCERPM`). */
  source?: { name: string; version: string };
  /**
   * The advisory lookup key. Debian/Ubuntu advisories are per SOURCE package, so for dpkg this is
   * the source name and version with the release-qualified ecosystem; Alpine secdb is per origin.
   * Absent when the OS is unknown (no release to qualify the ecosystem with) for OS packages.
   */
  advisory?: AdvisoryKey;
}

/** A file that could not be (fully) read; the analysis carries on. */
export interface AnalyzeProblem {
  path: string;
  message: string;
}

export interface AnalyzerOutput {
  components: ImageComponent[];
  problems: AnalyzeProblem[];
}
