/**
 * Setup of the React projects (React 19 and 18): Testing Library's `findBy…` and `waitFor` wait
 * 1 s by default, which a shared machine under load can exceed while a real relay connects and
 * joins. They wait on conditions, so a longer deadline costs nothing when things go well.
 */
import { configure } from "@testing-library/react";

configure({ asyncUtilTimeout: 10_000 });
