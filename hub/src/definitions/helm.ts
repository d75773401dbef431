import { FieldError, list, object, onlyKeys, optionalString, type Obj } from "./fields.js";

/** How an App renders a Helm chart; releaseName is filled with the App's name when not given. */
export type AppHelm = { releaseName: string; valuesFiles?: string[]; values?: Obj };
/** A target's values are merged over the App's. */
export type TargetHelm = { values?: Obj };

export function parseAppHelm(value: unknown, field: string, appName: string): AppHelm {
  const h = value === undefined ? {} : object(value, field);
  onlyKeys(h, ["releaseName", "valuesFiles", "values"], field);
  const given = optionalString(h.releaseName, `${field}.releaseName`);
  const releaseName = given ?? appName;
  // Only a given name is checked here: the App's name is valid for Apps that are no chart.
  if (given && !/^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$/.test(given)) throw new FieldError(`${field}.releaseName`, "want a Helm release name: lowercase letters, digits and '-', at most 53 characters");
  const valuesFiles = list(h.valuesFiles, `${field}.valuesFiles`).map((f, i) => valuesFile(f, `${field}.valuesFiles[${i}]`));
  return { releaseName, ...(valuesFiles.length ? { valuesFiles } : {}), ...(h.values !== undefined ? { values: object(h.values, `${field}.values`) } : {}) };
}

export function parseTargetHelm(value: unknown, field: string): TargetHelm {
  const h = object(value, field);
  onlyKeys(h, ["values"], field);
  return h.values !== undefined ? { values: object(h.values, `${field}.values`) } : {};
}

// Relative to the chart; ".." is allowed (a values file beside the chart) and checked to stay in the repository when rendering.
function valuesFile(value: unknown, field: string): string {
  if (typeof value !== "string" || value === "") throw new FieldError(field, "want a path to a values file, relative to the chart");
  if (value.startsWith("/") || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) throw new FieldError(field, "want a path inside the repository, relative to the chart (no absolute paths or URLs)");
  return value;
}
