/** Topic of a tenant on which new versions of its ROI models are announced. */
export const ROI_MODEL_CHANGED = 'roi-model-changed';

/** Payload of `ROI_MODEL_CHANGED`. */
export interface RoiModelChangedEvent {
  modelId: string;
}
