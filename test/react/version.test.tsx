/**
 * Which React the suite runs on: 19 in the "react" project, 18 under
 * test/react/react18.vitest.config.ts (REACT_MAJOR=18) — so a misconfigured alias cannot pass silently.
 */
import { render, screen } from "@testing-library/react";
import { version } from "react";
import { version as domVersion } from "react-dom";
import { expect, it } from "vitest";

it(`renders with React ${process.env.REACT_MAJOR ?? "19"}`, () => {
  const major = process.env.REACT_MAJOR ?? "19";
  expect(version.split(".")[0]).toBe(major);
  expect(domVersion).toBe(version);
  render(<p>react {version}</p>);
  screen.getByText(`react ${version}`);
});
