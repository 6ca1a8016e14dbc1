/**
 * The user's photos, shared by the upload panel, the list and the room picker: a snapshot from
 * the backend (at start and whenever the bus reports a gap on the user's channel) merged with
 * live `photo.processing.*` events.
 */
import { useEventBusListener } from "@shared-infra/event-bus/react";
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useReducer,
  useState,
} from "react";
import { api } from "./api.js";
import { useEventBus } from "./bus.js";
import { type PhotoAction, type PhotosState, photosReducer } from "./photos.js";

interface PhotosContextValue {
  readonly photos: PhotosState;
  readonly dispatch: (action: PhotoAction) => void;
  /** Set after a gap was reported on the user's channel and the snapshot refetched. */
  readonly lastRefetch: string | null;
}

const PhotosContext = createContext<PhotosContextValue | null>(null);

export function PhotosProvider({
  children,
  getToken,
  userId,
}: {
  children: ReactNode;
  getToken: () => string;
  userId: string;
}) {
  const [photos, dispatch] = useReducer(photosReducer, {});
  const [lastRefetch, setLastRefetch] = useState<string | null>(null);

  const refetch = useCallback(
    (afterGap: boolean) => {
      api.myPhotos(getToken()).then(
        (list) => {
          dispatch({ kind: "snapshot", photos: list });
          if (afterGap) setLastRefetch(new Date().toLocaleTimeString());
        },
        () => {}, // the next gap tries again
      );
    },
    [getToken],
  );

  useEffect(() => refetch(false), [refetch]);
  useEventBusListener("gap", (gap) => {
    if (gap.channel.endsWith(`user:${userId}`)) refetch(true);
  });
  useEventBus(
    "photo.processing.*",
    (event) => {
      if (event.channel.endsWith(`user:${userId}`)) dispatch({ kind: "event", event });
    },
    { limit: 0 },
  );

  return (
    <PhotosContext.Provider value={{ photos, dispatch, lastRefetch }}>{children}</PhotosContext.Provider>
  );
}

export function usePhotos(): PhotosContextValue {
  const value = useContext(PhotosContext);
  if (!value) throw new Error("usePhotos must be used inside <PhotosProvider>.");
  return value;
}
